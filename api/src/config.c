/*
 * Configuration: a bounded table of environment variables, read once in
 * the parent before the workers start.  A bad value is fatal with a
 * message naming the variable (Redis createIntConfig style).
 */

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

struct il_config	il_cfg;

struct int_setting {
	const char	*name;
	int		*dst;
	int		def;
	int		min;
	int		max;
};

struct str_setting {
	const char	*name;
	const char	**dst;
	const char	*def;	/* NULL: required, unless optional */
	int		(*check)(const char *);
	const char	*what;
	int		optional;	/* unset: *dst stays NULL */
};

static int	check_url(const char *);
static int	check_listen(const char *);
static int	check_port(const char *);
static int	check_dburl(const char *);
static int	check_proxies(const char *);

static const struct int_setting	int_settings[] = {
	{ "API_WORKERS", &il_cfg.workers, 2, 2, 64 },
	{ "DB_POOL_PER_WORKER", &il_cfg.db_pool, 4, 2, 64 },
	{ "DB_QUEUE_LIMIT", &il_cfg.db_queue, 1000, 10, 100000 },
	{ "HASH_THREADS_PER_WORKER", &il_cfg.hash_threads, 1, 1, 16 },
	{ "HASH_QUEUE_PER_WORKER", &il_cfg.hash_queue, 16, 1, 1024 },
	{ "SESSION_IDLE_SECONDS", &il_cfg.session_idle_s, 14 * 86400, 60,
	    365 * 86400 },
	{ "SESSION_MAX_SECONDS", &il_cfg.session_max_s, 30 * 86400, 60,
	    3650 * 86400 },
	{ "LOGIN_FAILS_PER_ACCOUNT", &il_cfg.login_fail_account, 5, 1,
	    1000000 },
	{ "LOGIN_FAILS_PER_ADDRESS", &il_cfg.login_fail_addr, 30, 1,
	    1000000 },
	{ "LOGIN_WINDOW_SECONDS", &il_cfg.login_window_s, 900, 1, 86400 },
	{ "REGISTRATIONS_PER_ADDRESS", &il_cfg.register_per_addr, 20, 1,
	    100000 },
	{ "REGISTRATION_WINDOW_SECONDS", &il_cfg.register_window_s, 3600, 1,
	    86400 },
	{ "PASSWORD_RESETS_PER_ADDRESS", &il_cfg.resets_per_addr, 3, 1,
	    1000 },
	{ "PASSWORD_RESETS_PER_CLIENT", &il_cfg.resets_per_client, 20, 1,
	    1000000 },
	{ "PASSWORD_RESET_WINDOW_SECONDS", &il_cfg.reset_window_s, 3600, 1,
	    86400 },
	{ "REPLICA_MAX_LAG_MS", &il_cfg.replica_max_lag_ms, 5000, 100,
	    3600000 },
};

static const struct str_setting	str_settings[] = {
	{ "DATABASE_URL", &il_cfg.database_url, NULL, check_dburl,
	    "a libpq connection string or postgresql:// URL" },
	{ "DATABASE_REPLICA_URL", &il_cfg.replica_url, NULL, check_dburl,
	    "a libpq connection string or postgresql:// URL", 1 },
	{ "TRUSTED_PROXIES", &il_cfg.trusted_proxies, NULL, check_proxies,
	    "a comma-separated list of at most 8 IPv4 or IPv6 addresses", 1 },
	{ "API_LISTEN", &il_cfg.listen, "127.0.0.1", check_listen,
	    "an IPv4 or IPv6 address" },
	{ "API_PORT", &il_cfg.port, "8080", check_port,
	    "a port number from 1 to 65535" },
	{ "PUBLIC_API_URL", &il_cfg.public_api_url, IL_DEFAULT_PUBLIC_API_URL,
	    check_url, "an http(s) URL without a trailing slash" },
	{ "PUBLIC_WEB_URL", &il_cfg.public_web_url, IL_DEFAULT_PUBLIC_WEB_URL,
	    check_url, "an http(s) URL without a trailing slash" },
};

static int
check_url(const char *s)
{
	size_t		len;

	len = strlen(s);
	if (len < 8 || len > 200 || s[len - 1] == '/')
		return (0);
	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return (0);
	return (strpbrk(s, " \"<>\\\r\n") == NULL);
}

static int
check_listen(const char *s)
{
	struct in6_addr		a6;
	struct in_addr		a4;

	return (inet_pton(AF_INET, s, &a4) == 1 ||
	    inet_pton(AF_INET6, s, &a6) == 1);
}

/*
 * TRUSTED_PROXIES: "10.0.0.5,10.0.0.6".  Parsed again by
 * dispatch_init() (http/dispatch.c), which trusts these peers'
 * X-Forwarded-For.
 */
static int
check_proxies(const char *s)
{
	char		item[INET6_ADDRSTRLEN];
	const char	*p, *end;
	size_t		len;
	int		n;

	for (n = 0, p = s; ; p = end + 1) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len == 0 || len >= sizeof(item) || ++n > IL_PROXIES_MAX)
			return (0);
		memcpy(item, p, len);
		item[len] = '\0';
		if (!check_listen(item))
			return (0);
		if (*end == '\0')
			return (1);
	}
}

static int
check_port(const char *s)
{
	int		err;

	(void)kore_strtonum(s, 10, 1, 65535, &err);
	return (err == KORE_RESULT_OK);
}

static int
check_dburl(const char *s)
{
	return (*s != '\0' && strlen(s) < 1024);
}

void
config_load(void)
{
	const struct int_setting	*is;
	const struct str_setting	*ss;
	const char			*v;
	size_t				i;
	long long			n;
	int				err;

	for (i = 0; i < sizeof(int_settings) / sizeof(int_settings[0]); i++) {
		is = &int_settings[i];
		if ((v = getenv(is->name)) == NULL || *v == '\0') {
			*is->dst = is->def;
			continue;
		}
		n = kore_strtonum(v, 10, is->min, is->max, &err);
		if (err != KORE_RESULT_OK) {
			fatal("configuration: %s=\"%s\" is not valid: it must "
			    "be a whole number from %d to %d", is->name, v,
			    is->min, is->max);
		}
		*is->dst = (int)n;
	}

	for (i = 0; i < sizeof(str_settings) / sizeof(str_settings[0]); i++) {
		ss = &str_settings[i];
		if ((v = getenv(ss->name)) == NULL || *v == '\0') {
			if (ss->optional) {
				*ss->dst = NULL;
				continue;
			}
			if (ss->def == NULL)
				fatal("configuration: %s is required (%s)",
				    ss->name, ss->what);
			v = ss->def;
		}
		if (!ss->check(v)) {
			fatal("configuration: %s=\"%s\" is not valid: it must "
			    "be %s", ss->name,
			    strstr(ss->name, "DATABASE_") != ss->name ? v : "...",
			    ss->what);
		}
		*ss->dst = v;
	}

	if (il_cfg.session_idle_s > il_cfg.session_max_s) {
		fatal("configuration: SESSION_IDLE_SECONDS (%d) must not be "
		    "larger than SESSION_MAX_SECONDS (%d)",
		    il_cfg.session_idle_s, il_cfg.session_max_s);
	}
}
