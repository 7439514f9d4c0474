DROP TABLE `report_schedules`;--> statement-breakpoint
DROP TABLE `reports`;