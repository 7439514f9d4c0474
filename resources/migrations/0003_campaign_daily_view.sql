DROP TABLE `campaign_daily`;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_daily_metrics` (
	`ad_id` integer NOT NULL,
	`date` text NOT NULL,
	`account_id` integer NOT NULL,
	`campaign_id` integer NOT NULL,
	`ad_set_id` integer NOT NULL,
	`spend_micros` integer DEFAULT 0 NOT NULL,
	`impressions` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`reach` integer DEFAULT 0 NOT NULL,
	`conversions` real DEFAULT 0 NOT NULL,
	`conversion_value_micros` integer DEFAULT 0 NOT NULL,
	`video_views` integer DEFAULT 0 NOT NULL,
	`provisional` integer DEFAULT false NOT NULL,
	`source` text DEFAULT 'sync' NOT NULL,
	PRIMARY KEY(`account_id`, `date`, `ad_id`),
	FOREIGN KEY (`account_id`) REFERENCES `ad_accounts`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_daily_metrics`("ad_id", "date", "account_id", "campaign_id", "ad_set_id", "spend_micros", "impressions", "clicks", "reach", "conversions", "conversion_value_micros", "video_views", "provisional", "source") SELECT "ad_id", "date", "account_id", "campaign_id", "ad_set_id", "spend_micros", "impressions", "clicks", "reach", "conversions", "conversion_value_micros", "video_views", "provisional", "source" FROM `daily_metrics` ORDER BY "account_id", "date", "ad_id";--> statement-breakpoint
DROP TABLE `daily_metrics`;--> statement-breakpoint
ALTER TABLE `__new_daily_metrics` RENAME TO `daily_metrics`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
-- Hand-written (drizzle-kit does not model WITHOUT ROWID or this view). Campaign-day sums are the
-- day's step of the dense running totals in campaign_cum; days without activity are left out like
-- the table this replaces left them out. Provisional is an account-day property.
CREATE VIEW `campaign_daily` AS
SELECT h.campaign_id AS campaign_id, h.date AS date, h.account_id AS account_id,
  h.spend_micros - coalesce(l.spend_micros, 0) AS spend_micros,
  h.impressions - coalesce(l.impressions, 0) AS impressions,
  h.clicks - coalesce(l.clicks, 0) AS clicks,
  round(h.conversions - coalesce(l.conversions, 0), 6) AS conversions,
  h.conversion_value_micros - coalesce(l.conversion_value_micros, 0) AS conversion_value_micros,
  h.video_views - coalesce(l.video_views, 0) AS video_views,
  coalesce(a.provisional, 0) AS provisional
FROM campaign_cum h
LEFT JOIN campaign_cum l ON l.account_id = h.account_id AND l.date = date(h.date, '-1 day') AND l.campaign_id = h.campaign_id
LEFT JOIN account_daily a ON a.account_id = h.account_id AND a.date = h.date
WHERE h.spend_micros != coalesce(l.spend_micros, 0) OR h.impressions != coalesce(l.impressions, 0)
  OR h.clicks != coalesce(l.clicks, 0) OR h.conversions != coalesce(l.conversions, 0)
  OR h.conversion_value_micros != coalesce(l.conversion_value_micros, 0) OR h.video_views != coalesce(l.video_views, 0);
