/*
 * The field tables of events' sign-up lists: slots (organizers) and
 * claims (members who are going).  Pure data (il.h only): the routes are
 * in http/routes.c; who may do what and the places, exact under
 * concurrency, are checked in sql/api/signups.sql.
 */

#include "il.h"

#define SU_SLOT(req) \
	{ .name = "title", .type = FT_STRING, .flags = (req), \
	    .min = 1, .max = 120 }, \
	{ .name = "places", .type = FT_INT, .flags = (req), \
	    .min = 1, .max = 100 }, \
	{ .name = "note", .type = FT_STRING, .flags = FF_NULLABLE, \
	    .min = 0, .max = 500 }

#define SU_READONLY \
	READONLY("id"), READONLY("claimed_count"), READONLY("places_left"), \
	READONLY("claimed_by_me"), READONLY("claims")

/* POST /v1/events/{id}/slots */
const struct field su_b_create[] = {
	SU_SLOT(FF_REQUIRED),
	SU_READONLY,
	FIELDS_END
};

/* PATCH /v1/events/{id}/slots/{slot_id} */
const struct field su_b_patch[] = {
	SU_SLOT(0),
	SU_READONLY,
	FIELDS_END
};

/* PUT /v1/events/{id}/slots/{slot_id}/claim: the body may be absent. */
const struct field su_b_claim[] = {
	{ .name = "note", .type = FT_STRING, .flags = FF_NULLABLE,
	    .min = 0, .max = 200 },
	FIELDS_END
};
