CREATE TABLE `ad_month_days` (
	`account_id` integer NOT NULL,
	`month` text NOT NULL,
	`ad_id` integer NOT NULL,
	`days` text NOT NULL,
	PRIMARY KEY(`account_id`, `month`, `ad_id`),
	FOREIGN KEY (`account_id`) REFERENCES `ad_accounts`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;--> statement-breakpoint
-- Hand-written: WITHOUT ROWID above, and the backfill from the rows (one pass over daily_metrics).
-- group_concat(... ORDER BY) is SQLite 3.44+; PostgreSQL spells it string_agg(... ORDER BY).
INSERT INTO ad_month_days (account_id, month, ad_id, days)
SELECT account_id, substr(date, 1, 7), ad_id,
  group_concat(substr(date, 9, 2) || ':' || impressions || ':' || clicks, ',' ORDER BY date)
FROM daily_metrics GROUP BY account_id, substr(date, 1, 7), ad_id;
