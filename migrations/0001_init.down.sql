DROP TABLE function_versions;
DROP TABLE functions;
