ALTER TABLE `account_daily` ADD `ad_rows` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Backfill the counter from the rows (one key-range count per account-day).
UPDATE `account_daily` SET `ad_rows` = (SELECT count(*) FROM `daily_metrics` m WHERE m.account_id = `account_daily`.account_id AND m.date = `account_daily`.date);
