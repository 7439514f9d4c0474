ALTER TABLE `ad_month` ADD `negative_rows` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written: the count of each ad_month row's day rows with negative clicks or spend, from the rows
-- (one pass over daily_metrics; only the groups that have such rows are updated). UPDATE ... FROM is
-- SQLite 3.33+ and PostgreSQL.
UPDATE ad_month SET negative_rows = neg.n
FROM (
  SELECT account_id, substr(date, 1, 7) AS month, ad_id, ad_set_id, campaign_id, count(*) AS n
  FROM daily_metrics WHERE clicks < 0 OR spend_micros < 0
  GROUP BY account_id, substr(date, 1, 7), ad_id, ad_set_id, campaign_id
) AS neg
WHERE ad_month.account_id = neg.account_id AND ad_month.month = neg.month AND ad_month.ad_id = neg.ad_id
  AND ad_month.ad_set_id = neg.ad_set_id AND ad_month.campaign_id = neg.campaign_id;
