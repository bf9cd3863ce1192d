-- Each stored event document also as the text a list sends to a reader
-- who has no RSVP to the event and sees no attendance count (most rows
-- of most pages): the document with "attended_count" and "my_rsvp" null,
-- written by jsonb's own output, so a page of such rows is the join of
-- their texts and no row is built, parsed or printed per read
-- (api.event_view, sql/api/events.sql).  Generated: always the text of
-- the current document.
ALTER TABLE event_docs ADD COLUMN body text
    GENERATED ALWAYS AS ((doc || '{"attended_count": null, "my_rsvp": null}'::jsonb)::text) STORED;
