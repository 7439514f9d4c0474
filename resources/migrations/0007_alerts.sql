-- Edited by hand: the unused alerts/alert_channels tables of 0000 were never written, so they are dropped and created anew (drizzle-kit's ALTERs add NOT NULL columns without defaults, which SQLite refuses).
DROP TABLE `alert_channels`;--> statement-breakpoint
DROP TABLE `alerts`;--> statement-breakpoint
CREATE TABLE `alert_channel_sends` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel_id` integer NOT NULL,
	`sent_at` text NOT NULL,
	FOREIGN KEY (`channel_id`) REFERENCES `alert_channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_channel_sends_idx` ON `alert_channel_sends` (`channel_id`,`sent_at`);--> statement-breakpoint
CREATE TABLE `alert_channels` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`settings` text NOT NULL,
	`policy` text DEFAULT '{}' NOT NULL,
	`secret_ref` text,
	`enabled` integer DEFAULT true NOT NULL,
	`disabled_reason` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alert_deliveries` (
	`alert_id` integer NOT NULL,
	`channel_id` integer NOT NULL,
	`channel_kind` text NOT NULL,
	`status` text NOT NULL,
	`message_id` text NOT NULL,
	`attempts` text DEFAULT '[]' NOT NULL,
	`next_attempt_at` text,
	`delivered_at` text,
	`note` text,
	PRIMARY KEY(`alert_id`, `channel_id`),
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`channel_id`) REFERENCES `alert_channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_deliveries_due_idx` ON `alert_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `alert_deliveries_channel_idx` ON `alert_deliveries` (`channel_id`,`status`);--> statement-breakpoint
CREATE TABLE `alert_routes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`min_severity` text NOT NULL,
	`sources` text DEFAULT '[]' NOT NULL,
	`workspace_ids` text DEFAULT '[]' NOT NULL,
	`account_ids` text DEFAULT '[]' NOT NULL,
	`channel_ids` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`source` text NOT NULL,
	`severity` text NOT NULL,
	`entity_level` text,
	`entity_id` integer,
	`entity_name` text,
	`entity_account_id` integer,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`numbers` text DEFAULT '[]' NOT NULL,
	`dedupe_key` text NOT NULL,
	`link` text NOT NULL,
	`count` integer DEFAULT 1 NOT NULL,
	`raised_at` text NOT NULL,
	`last_raised_at` text NOT NULL,
	`acknowledged_at` text,
	`snoozed_until` text,
	`resolved_at` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alerts_ws_raised_idx` ON `alerts` (`workspace_id`,`last_raised_at`);--> statement-breakpoint
CREATE INDEX `alerts_dedupe_idx` ON `alerts` (`workspace_id`,`dedupe_key`,`last_raised_at`);
