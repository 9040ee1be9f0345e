-- One database per manager service: no service reads another's tables.
CREATE DATABASE agent_manager;
CREATE DATABASE chat_manager;
CREATE DATABASE message_manager;
CREATE DATABASE file_manager;
