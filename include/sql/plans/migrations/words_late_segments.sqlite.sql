-- Migration "words late" (customer_plans.migrate), SQLite: the sentences segments rows
-- stored in two languages move into one JSON column, so explain still reads them; the
-- columns then go.
-- binds: none
update segments set recorded_words = json_object(
    'grid_strategy_en', grid_strategy_en, 'grid_strategy_zh', grid_strategy_zh,
    'lifecycle_reason_en', lifecycle_reason_en, 'lifecycle_reason_zh', lifecycle_reason_zh)
