/* Unit tests for router.c: path matching and Allow headers. */

#include <stdlib.h>

#include "il.h"
#include "unit.h"

int
main(void)
{
	struct route_args	a;
	char			buf[96], longseg[300];

	CHECK(router_match("/healthz", "/healthz", &a) && a.n == 0);
	CHECK(!router_match("/healthz", "/healthz/", &a));
	CHECK(!router_match("/healthz", "/health", &a));
	CHECK(!router_match("/healthz", "/healthzz", &a));
	CHECK(!router_match("/v1/members", "/v1", &a));
	CHECK(!router_match("/v1", "/v1/members", &a));
	CHECK(!router_match("/v1/members", "", &a));

	CHECK(router_match("/v1/members/{id}", "/v1/members/42", &a));
	CHECK(a.n == 1 && strcmp(a.values[0], "42") == 0);
	CHECK(a.lens[0] == 2 && strncmp(a.names[0], "id", 2) == 0);
	CHECK(!router_match("/v1/members/{id}", "/v1/members/abc", &a));
	CHECK(!router_match("/v1/members/{id}", "/v1/members/0", &a));
	CHECK(!router_match("/v1/members/{id}", "/v1/members/01", &a));
	CHECK(!router_match("/v1/members/{id}", "/v1/members/-1", &a));
	CHECK(!router_match("/v1/members/{id}", "/v1/members/1234567890123456789",
	    &a));
	CHECK(!router_match("/v1/members/{id}", "/v1/members/", &a));
	CHECK(!router_match("/v1/members/{id}", "/v1/members//", &a));

	CHECK(router_match("/v1/organizations/{org}/members/{member_id}",
	    "/v1/organizations/central-library/members/7", &a));
	CHECK(a.n == 2);
	CHECK_STR(a.values[0], "central-library");
	CHECK_STR(a.values[1], "7");
	CHECK(!router_match("/v1/organizations/{org}/members/{member_id}",
	    "/v1/organizations/central-library/members/x", &a));
	CHECK(router_match("/v1/organizations/{org}", "/v1/organizations/12", &a));
	CHECK(!router_match("/v1/sessions/{id}", "/v1/sessions/current", &a));
	CHECK(router_match("/v1/sessions/current", "/v1/sessions/current", &a));

	memset(longseg, 'a', sizeof(longseg) - 1);
	longseg[sizeof(longseg) - 1] = '\0';
	memcpy(longseg, "/v1/organizations/", 18);
	CHECK(!router_match("/v1/organizations/{org}", longseg, &a));

	CHECK_STR(router_allow(IL_GET | IL_HEAD | IL_OPTIONS, buf, sizeof(buf)),
	    "GET, HEAD, OPTIONS");
	CHECK_STR(router_allow(IL_POST | IL_DELETE, buf, sizeof(buf)),
	    "POST, DELETE");
	CHECK_STR(router_allow(0, buf, sizeof(buf)), "");
	CHECK_STR(router_allow(IL_GET | IL_POST | IL_PUT, buf, 10), "GET, POST");

	return (unit_done("router"));
}
