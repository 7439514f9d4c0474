CREATE TABLE `report_schedules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`name` text NOT NULL,
	`template` text NOT NULL,
	`options` text NOT NULL,
	`cadence` text NOT NULL,
	`weekday` integer NOT NULL,
	`day_of_month` integer NOT NULL,
	`time` text NOT NULL,
	`time_zone` text NOT NULL,
	`recipients` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`next_run_at` text,
	`last_run_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `report_schedules_due_idx` ON `report_schedules` (`enabled`,`next_run_at`);--> statement-breakpoint
CREATE TABLE `report_templates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`name` text NOT NULL,
	`template` text NOT NULL,
	`options` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `report_templates_ws_name_idx` ON `report_templates` (`workspace_id`,`name`);--> statement-breakpoint
CREATE TABLE `reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`schedule_id` integer,
	`template` text NOT NULL,
	`title` text NOT NULL,
	`range_from` text NOT NULL,
	`range_to` text NOT NULL,
	`file` text NOT NULL,
	`bytes` integer NOT NULL,
	`pages` integer NOT NULL,
	`charts` integer NOT NULL,
	`warnings` text NOT NULL,
	`requested_by` text NOT NULL,
	`created_at` text NOT NULL,
	`recipients` text NOT NULL,
	`delivery` text NOT NULL,
	`delivery_error` text,
	`sent_at` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`schedule_id`) REFERENCES `report_schedules`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `reports_ws_created_idx` ON `reports` (`workspace_id`,`created_at`);