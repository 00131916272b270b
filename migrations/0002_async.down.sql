DROP TABLE schedule_ticks;
DROP TABLE schedules;
DROP TABLE dead_letters;
DROP TABLE async_events;
