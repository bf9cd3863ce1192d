// Runtime settings for the Interlibrary front end.
// This file is the default for opening frontend/ as it is; scripts/serve-frontend.sh
// serves a generated one instead (and docker-compose's web server one made from
// PUBLIC_API_URL, deploy/nginx/web.conf.template), so the API address is a deployment
// setting, never baked into the app.
window.INTERLIBRARY_CONFIG = { apiBase: "http://127.0.0.1:8080" };
