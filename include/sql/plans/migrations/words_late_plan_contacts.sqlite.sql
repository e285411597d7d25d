-- Migration "words late" (customer_plans.migrate), SQLite: the talking points plan_contacts
-- rows stored in two languages move into one JSON column, so explain still reads them; the
-- columns then go.
-- binds: none
update plan_contacts set recorded_words = json_object(
    'talking_points_en', talking_points_en, 'talking_points_zh', talking_points_zh)
