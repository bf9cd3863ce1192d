/*
 * The field tables of conversations (one-to-one messages) and of the
 * caller's blocks.  Pure data (il.h only): the routes are in
 * http/routes.c; who may write to whom, the daily cap on first messages
 * and the stop after reports are checked in sql/api/conversations.sql.
 */

#include "il.h"

#define CV_TEXT(req) \
	{ .name = "text", .type = FT_STRING, .flags = (req), \
	    .min = 1, .max = 4000 }

/* POST /v1/conversations: start one, or add to the one there is. */
const struct field cv_b_create[] = {
	{ .name = "member_id", .type = FT_INT, .flags = FF_REQUIRED,
	    .min = 1, .max = IL_ID_MAX },
	CV_TEXT(FF_REQUIRED),
	FIELDS_END
};

/* POST /v1/conversations/{id}/messages: a reply. */
const struct field cv_b_message[] = {
	CV_TEXT(FF_REQUIRED),
	FIELDS_END
};

/* PATCH /v1/conversations/{id}: mark read up to a message. */
const struct field cv_b_patch[] = {
	{ .name = "last_read_message_id", .type = FT_INT,
	    .min = 1, .max = IL_ID_MAX },
	READONLY("id"), READONLY("member"), READONLY("blocked"),
	READONLY("unread_count"), READONLY("last_message"),
	READONLY("created_at"), READONLY("last_message_at"),
	FIELDS_END
};
