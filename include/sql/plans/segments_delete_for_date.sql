-- Delete the business date's segments rows, before the stage writes them again.
-- binds: business_date
delete from segments
where business_date = :business_date
