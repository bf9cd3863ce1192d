// Runtime settings for the docker-compose "web" service (mounted over /config.js).
window.INTERLIBRARY_CONFIG = { apiBase: "http://localhost:8080" };
