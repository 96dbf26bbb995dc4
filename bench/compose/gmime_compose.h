/* GMime 3's side of compose_bench (gmime_compose.c), callable from C++. */
#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* g_mime_init() / g_mime_shutdown(); once per process. */
void gmime_compose_init(void);
void gmime_compose_shutdown(void);

/* Builds and serialises the benchmark message `iterations` times. The
 * attachment is `data` (size bytes, borrowed, not freed) when path is NULL,
 * else the file at path, opened for each message. crlf != 0: CRLF line ends
 * (GMIME_NEWLINE_FORMAT_DOS), else GMime's default LF. *bytes_out: total
 * bytes written. Returns 0 on success. */
int gmime_compose_run(const char *text, const unsigned char *data, size_t size, const char *path,
                      const char *filename, int iterations, int crlf, unsigned long long *bytes_out);

/* Writes one such message (attachment from memory) to out_path. */
int gmime_compose_dump(const char *text, const unsigned char *data, size_t size, const char *filename,
                       int crlf, const char *out_path);

#ifdef __cplusplus
}
#endif
