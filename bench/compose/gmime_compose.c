/* GMime 3's side of compose_bench: builds the same message as the pigeon side
 * (From, To, Subject, Date, Message-ID, a text/plain part and a base64
 * application/octet-stream attachment in multipart/mixed) and serialises it
 * with g_mime_object_write_to_stream() to a null stream (GMimeStreamNull,
 * which counts the bytes), `iterations` times.
 *
 * The attachment comes from memory (a GByteArray wrapped without copying) or
 * from the file, opened anew for each message (g_mime_stream_fs). GMime's
 * default output has LF line ends; crlf != 0 asks for CRLF
 * (GMIME_NEWLINE_FORMAT_DOS), the form that goes on the wire.
 */
#include "gmime_compose.h"

#include <fcntl.h>
#include <gmime/gmime.h>
#include <stdio.h>

static GMimeMessage *build(const char *text, GByteArray *data, const char *path, const char *filename,
                           GDateTime *date) {
    GMimeMessage *msg = g_mime_message_new(TRUE);
    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, "Bench Sender", "bench@example.org");
    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, "Sink", "sink@example.org");
    g_mime_message_set_subject(msg, "Quarterly figures", NULL);
    g_mime_message_set_date(msg, date);
    g_mime_message_set_message_id(msg, "bench.1234567890@example.org");

    GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");

    GMimeTextPart *body = g_mime_text_part_new_with_subtype("plain");
    g_mime_text_part_set_text(body, text);
    g_mime_multipart_add(mixed, (GMimeObject *)body);
    g_object_unref(body);

    GMimePart *att = g_mime_part_new_with_type("application", "octet-stream");
    g_mime_part_set_filename(att, filename);
    g_mime_part_set_content_encoding(att, GMIME_CONTENT_ENCODING_BASE64);
    GMimeStream *stream = NULL;
    if (path != NULL) {
        GError *err = NULL;
        stream = g_mime_stream_fs_open(path, O_RDONLY, 0, &err);
        if (stream == NULL) {
            fprintf(stderr, "gmime: %s: %s\n", path, err ? err->message : "cannot open");
            g_clear_error(&err);
            g_object_unref(att);
            g_object_unref(mixed);
            g_object_unref(msg);
            return NULL;
        }
    } else {
        stream = g_mime_stream_mem_new_with_byte_array(data);
        g_mime_stream_mem_set_owner((GMimeStreamMem *)stream, FALSE);
    }
    GMimeDataWrapper *wrapper = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
    g_object_unref(stream);
    g_mime_part_set_content(att, wrapper);
    g_object_unref(wrapper);
    g_mime_multipart_add(mixed, (GMimeObject *)att);
    g_object_unref(att);

    g_mime_message_set_mime_part(msg, (GMimeObject *)mixed);
    g_object_unref(mixed);
    return msg;
}

void gmime_compose_init(void) { g_mime_init(); }

void gmime_compose_shutdown(void) { g_mime_shutdown(); }

int gmime_compose_run(const char *text, const unsigned char *data, size_t size, const char *path,
                      const char *filename, int iterations, int crlf, unsigned long long *bytes_out) {
    GByteArray *array = NULL;
    if (path == NULL) {
        /* Wrap the caller's bytes without copying them. */
        array = g_byte_array_new_take((guint8 *)data, size);
    }
    GMimeFormatOptions *opts = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(opts, crlf ? GMIME_NEWLINE_FORMAT_DOS : GMIME_NEWLINE_FORMAT_UNIX);
    GDateTime *date = g_date_time_new_utc(2026, 11, 30, 0, 0, 0);
    GMimeStream *null = g_mime_stream_null_new();
    unsigned long long total = 0;
    int rc = 0;
    for (int i = 0; i < iterations; ++i) {
        GMimeMessage *msg = build(text, array, path, filename, date);
        if (msg == NULL) {
            rc = 1;
            break;
        }
        ssize_t n = g_mime_object_write_to_stream((GMimeObject *)msg, opts, null);
        g_object_unref(msg);
        if (n < 0) {
            fprintf(stderr, "gmime: write failed\n");
            rc = 1;
            break;
        }
    }
    /* What reached the stream: write_to_stream()'s own return value counts
     * the attachment's bytes before encoding. */
    total = (unsigned long long)((GMimeStreamNull *)null)->written;
    g_object_unref(null);
    g_date_time_unref(date);
    g_mime_format_options_free(opts);
    if (array != NULL) {
        /* Give the bytes back to the caller. */
        g_byte_array_steal(array, NULL);
        g_byte_array_unref(array);
    }
    *bytes_out = total;
    return rc;
}

int gmime_compose_dump(const char *text, const unsigned char *data, size_t size, const char *filename,
                       int crlf, const char *out_path) {
    GByteArray *array = g_byte_array_new_take((guint8 *)data, size);
    GMimeFormatOptions *opts = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(opts, crlf ? GMIME_NEWLINE_FORMAT_DOS : GMIME_NEWLINE_FORMAT_UNIX);
    GDateTime *date = g_date_time_new_utc(2026, 11, 30, 0, 0, 0);
    GError *err = NULL;
    GMimeStream *out = g_mime_stream_fs_open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644, &err);
    int rc = 1;
    if (out != NULL) {
        GMimeMessage *msg = build(text, array, NULL, filename, date);
        if (msg != NULL && g_mime_object_write_to_stream((GMimeObject *)msg, opts, out) >= 0) rc = 0;
        if (msg != NULL) g_object_unref(msg);
        g_mime_stream_flush(out);
        g_object_unref(out);
    } else {
        g_clear_error(&err);
    }
    g_date_time_unref(date);
    g_mime_format_options_free(opts);
    g_byte_array_steal(array, NULL);
    g_byte_array_unref(array);
    return rc;
}
