-- v2: Test Connection records how long the check took and how many tools the server listed.
ALTER TABLE actions ADD COLUMN health_latency_ms INTEGER;
ALTER TABLE actions ADD COLUMN health_tool_count INTEGER;
