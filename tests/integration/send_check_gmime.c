/* Parses a delivered message with GMime 3 and prints, as JSON, what the
 * pigeon send integration tests compare: subject, From/To display names,
 * the text and HTML bodies, and every other leaf part with its SHA-256.
 * The same shape as send_check.py. Compiled at test time by
 * tests/integration/send.cpp: cc send_check_gmime.c $(pkg-config --cflags
 * --libs gmime-3.0). */
#include <fcntl.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>

static void json_string(GString *out, const char *s, gsize len) {
    g_string_append_c(out, '"');
    for (gsize i = 0; i < len; ++i) {
        unsigned char c = (unsigned char) s[i];
        if (c == '"' || c == '\\') {
            g_string_append_c(out, '\\');
            g_string_append_c(out, (char) c);
        } else if (c < 0x20 || c == 0x7f) {
            g_string_append_printf(out, "\\u%04x", c);
        } else {
            g_string_append_c(out, (char) c); /* UTF-8 passes through */
        }
    }
    g_string_append_c(out, '"');
}

static void json_cstr(GString *out, const char *s) {
    if (!s) g_string_append(out, "null");
    else json_string(out, s, strlen(s));
}

struct walk {
    GString *parts;
    int nparts;
    GByteArray *text;
    GByteArray *html;
};

static GByteArray *decoded(GMimePart *part) {
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    GMimeStream *mem = g_mime_stream_mem_new();
    if (w) g_mime_data_wrapper_write_to_stream(w, mem);
    GByteArray *bytes = g_byte_array_new();
    GByteArray *src = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    g_byte_array_append(bytes, src->data, src->len);
    g_object_unref(mem);
    return bytes;
}

static void visit(GMimeObject *parent, GMimeObject *obj, gpointer data) {
    (void) parent;
    struct walk *wk = data;
    if (!GMIME_IS_PART(obj)) return;
    GMimePart *part = GMIME_PART(obj);
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    const char *disp = g_mime_object_get_disposition(obj);
    int is_attachment = disp && g_ascii_strcasecmp(disp, "attachment") == 0;
    const char *fname = g_mime_part_get_filename(part);
    GByteArray *bytes = decoded(part);
    if (!is_attachment && !fname && g_mime_content_type_is_type(ct, "text", "plain") && !wk->text) {
        wk->text = bytes;
        return;
    }
    if (!is_attachment && !fname && g_mime_content_type_is_type(ct, "text", "html") && !wk->html) {
        wk->html = bytes;
        return;
    }
    gchar *mime = g_mime_content_type_get_mime_type(ct);
    gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, bytes->data, bytes->len);
    if (wk->nparts++) g_string_append_c(wk->parts, ',');
    g_string_append(wk->parts, "{\"filename\":");
    json_cstr(wk->parts, fname);
    g_string_append(wk->parts, ",\"content_type\":");
    json_cstr(wk->parts, mime);
    g_string_append(wk->parts, ",\"disposition\":");
    json_cstr(wk->parts, disp);
    g_string_append(wk->parts, ",\"content_id\":");
    json_cstr(wk->parts, g_mime_object_get_content_id(obj));
    g_string_append_printf(wk->parts, ",\"size\":%u,\"sha256\":\"%s\"}", bytes->len, sum);
    g_free(mime);
    g_free(sum);
    g_byte_array_unref(bytes);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s MESSAGE-FILE\n", argv[0]);
        return 2;
    }
    g_mime_init();
    GMimeStream *stream = g_mime_stream_fs_open(argv[1], O_RDONLY, 0, NULL);
    if (!stream) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 1;
    }
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
    if (!msg) {
        fprintf(stderr, "GMime could not parse %s\n", argv[1]);
        return 1;
    }
    GString *out = g_string_new("{\"subject\":");
    json_cstr(out, g_mime_message_get_subject(msg));

    InternetAddressList *from = g_mime_message_get_from(msg);
    g_string_append(out, ",\"from_name\":");
    if (from && internet_address_list_length(from) > 0) {
        InternetAddress *a = internet_address_list_get_address(from, 0);
        json_cstr(out, internet_address_get_name(a));
        g_string_append(out, ",\"from_addr\":");
        json_cstr(out, INTERNET_ADDRESS_IS_MAILBOX(a) ? internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a))
                                                      : NULL);
    } else {
        g_string_append(out, "null,\"from_addr\":null");
    }
    InternetAddressList *to = g_mime_message_get_to(msg);
    g_string_append(out, ",\"to_names\":[");
    for (int i = 0; to && i < internet_address_list_length(to); ++i) {
        if (i) g_string_append_c(out, ',');
        json_cstr(out, internet_address_get_name(internet_address_list_get_address(to, i)));
    }
    g_string_append(out, "]");
    g_string_append_printf(out, ",\"has_bcc\":%s",
                           g_mime_object_get_header(GMIME_OBJECT(msg), "Bcc") ? "true" : "false");

    struct walk wk = {g_string_new(""), 0, NULL, NULL};
    g_mime_message_foreach(msg, visit, &wk);
    g_string_append(out, ",\"text\":");
    if (wk.text) json_string(out, (const char *) wk.text->data, wk.text->len);
    else g_string_append(out, "null");
    g_string_append(out, ",\"html\":");
    if (wk.html) json_string(out, (const char *) wk.html->data, wk.html->len);
    else g_string_append(out, "null");
    g_string_append_printf(out, ",\"parts\":[%s],\"defects\":[]}", wk.parts->str);
    fwrite(out->str, 1, out->len, stdout);
    return 0;
}
