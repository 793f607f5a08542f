/* apartment_cert.c: uploaded certificates of talent-apartment applications (apartment.h).
 * The bytes are files under the data directory (never in the database, never in a log);
 * the table keeps who, which application, the type found by content, size and SHA-256. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/store/db.h"
#include "core/util/b64.h"
#include "core/util/crypto.h"
#include "core/util/validate.h"
#include "modules/apartments/apartment.h"
#include "modules/apartments/apartment_internal.h"

static char data_dir[512] = "./data";

void pb_apt_set_data_dir(const char *dir)
{
    if (dir && *dir)
        pb_strlcpy(data_dir, dir, sizeof data_dir);
}

/* The type is what the bytes are, whatever the name says. */
static const char *sniff(const unsigned char *p, size_t n, const char **ext)
{
    if (n >= 5 && !memcmp(p, "%PDF-", 5)) {
        *ext = "pdf";
        return "application/pdf";
    }
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8)) {
        *ext = "png";
        return "image/png";
    }
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) {
        *ext = "jpg";
        return "image/jpeg";
    }
    return NULL;
}

static int mkdirs(const char *path)
{
    char buf[700];
    pb_strlcpy(buf, path, sizeof buf);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0700) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0700) && errno != EEXIST ? -1 : 0;
}

struct cert_args {
    struct pb_ctx *c;
    int64_t app_id, id, size;
    const char *filename, *ctype, *rel;
    char sha[65];
    struct pb_buf *out;
};

static int upload_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct cert_args *a = ctx;
    struct pb_stmt *st;
    int rc, ok = 0;
    int64_t n = 0;
    char region[16] = "", ch[200];
    if ((rc = pb_db_prepare(db,
                            "SELECT region_code, status FROM apartment_application WHERE id = ? "
                            "AND account_id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->app_id);
    pb_stmt_bind_int(st, 2, a->c->who->account_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_strlcpy(region, pb_stmt_col_text(st, 0), sizeof region);
        ok = !strcmp(pb_stmt_col_text(st, 1), "pending");
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!region[0])
        return pb_err_set(err, PB_E_NOT_FOUND, "申请不存在", "no such application");
    if (!ok)
        return pb_err_field(err, PB_E_CONFLICT, "application", "not_pending",
                            "申请已审核，不能再上传证书", "the application was already reviewed");
    if ((rc = pb_db_prepare(
             db, "SELECT COUNT(*) FROM apartment_certificate WHERE application_id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->app_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW)
        n = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (n >= PB_APT_CERT_PER_APP)
        return pb_err_field(err, PB_E_CONFLICT, "data", "too_many",
                            "每份申请最多上传 %d 个证书文件",
                            "at most %d certificate files per "
                            "application",
                            PB_APT_CERT_PER_APP, PB_APT_CERT_PER_APP);
    if ((rc = pb_db_prepare(db,
                            "INSERT INTO apartment_certificate (application_id, account_id, "
                            "filename, content_type, size, sha256, path, created_at) VALUES (?, ?, "
                            "?, ?, ?, ?, ?, ?) RETURNING id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->app_id);
    pb_stmt_bind_int(st, 2, a->c->who->account_id);
    pb_stmt_bind_text(st, 3, a->filename);
    pb_stmt_bind_text(st, 4, a->ctype);
    pb_stmt_bind_int(st, 5, a->size);
    pb_stmt_bind_text(st, 6, a->sha);
    pb_stmt_bind_text(st, 7, a->rel);
    pb_stmt_bind_int(st, 8, a->c->now_ms);
    if ((rc = pb_stmt_step(st)) == PB_ROW)
        a->id = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc != PB_ROW)
        return rc < 0 ? rc : PB_E_INTERNAL;
    snprintf(ch, sizeof ch, "{\"certificate\":%lld,\"content_type\":\"%s\",\"size\":%lld}",
             (long long)a->id, a->ctype, (long long)a->size);
    {
        char obj[24];
        snprintf(obj, sizeof obj, "%lld", (long long)a->app_id);
        if ((rc = pb_audit_write(a->c,
                                 &(struct pb_audit_rec){.action = "certificate_upload",
                                                        .resource = "apartment_applications",
                                                        .object_id = obj,
                                                        .region_code = region,
                                                        .result = "ok",
                                                        .changes = ch},
                                 err)))
            return rc;
    }
    pb_buf_reset(a->out);
    pb_buf_printf(a->out, "{\"id\":%lld,\"application_id\":%lld,\"filename\":", (long long)a->id,
                  (long long)a->app_id);
    pb_buf_json_str(a->out, a->filename);
    pb_buf_printf(a->out, ",\"content_type\":\"%s\",\"size\":%lld,\"sha256\":\"%s\"}", a->ctype,
                  (long long)a->size, a->sha);
    return 0;
}

int pb_apt_cert_upload(struct pb_ctx *c, int64_t application_id, json_t *body, struct pb_buf *out,
                       int64_t *id, struct pb_err *err)
{
    const char *key, *data, *ext = "";
    json_t *v;
    size_t dlen, n = 0;
    unsigned char *bytes;
    char *b64, rnd[33], rel[96], path[700], dir[640];
    unsigned char r[16];
    struct cert_args a;
    int fd, rc;
    memset(&a, 0, sizeof a);
    if (c->who->role != PB_ROLE_APPLICANT)
        return pb_err_set(err, PB_E_FORBIDDEN, "证书由申请人本人上传",
                          "certificates are uploaded by the applicant");
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "filename") && strcmp(key, "data"))
            pb_err_field(err, PB_E_BAD_REQUEST, strlen(key) < 60 ? key : "?", "unknown_field",
                         "未知字段 %s", "unknown field %s", strlen(key) < 60 ? key : "?");
    }
    if (err->nfields)
        return pb_err_set(err, PB_E_BAD_REQUEST, "请求含有未知字段",
                          "the request has unknown fields");
    a.filename = json_string_value(json_object_get(body, "filename"));
    data = json_string_value(json_object_get(body, "data"));
    if (!a.filename || !*a.filename || pb_utf8_len(a.filename) > 100 || strchr(a.filename, '/'))
        pb_err_field(err, PB_E_INVALID, "filename", "invalid", "文件名须为 1–100 个字符",
                     "the file name is 1–100 characters, without '/'");
    if (!data || !*data)
        pb_err_field(err, PB_E_INVALID, "data", "required", "请选择文件", "the file is required");
    if (err->nfields)
        return pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields");
    dlen = strlen(data);
    if (dlen > (size_t)PB_APT_CERT_MAX / 3 * 4 + 8)
        return pb_err_field(err, PB_E_TOO_LARGE, "data", "too_large",
                            "文件不能超过 %d KB，请压缩后再上传",
                            "the file is larger than %d KiB; please reduce it",
                            PB_APT_CERT_MAX / 1024, PB_APT_CERT_MAX / 1024);
    /* Accept standard or url-safe base64, padded or not: normalise to unpadded base64url. */
    b64 = pb_arena_strdup(c->arena, data);
    for (char *p = b64; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    while (dlen && b64[dlen - 1] == '=')
        b64[--dlen] = 0;
    bytes = pb_arena_alloc(c->arena, dlen / 4 * 3 + 3);
    if (pb_b64url_decode(b64, dlen, bytes, dlen / 4 * 3 + 3, &n))
        return pb_err_field(err, PB_E_INVALID, "data", "not_base64", "文件内容不是有效的 base64",
                            "the data is not valid base64");
    if (n > PB_APT_CERT_MAX)
        return pb_err_field(err, PB_E_TOO_LARGE, "data", "too_large",
                            "文件不能超过 %d KB，请压缩后再上传",
                            "the file is larger than %d KiB; please reduce it",
                            PB_APT_CERT_MAX / 1024, PB_APT_CERT_MAX / 1024);
    if (!(a.ctype = sniff(bytes, n, &ext)))
        return pb_err_field(err, PB_E_INVALID, "data", "unsupported_type",
                            "只接受 JPEG、PNG 图片或 PDF 文件", "only JPEG, PNG or PDF files");
    a.c = c;
    a.app_id = application_id;
    a.size = (int64_t)n;
    a.out = out;
    pb_sha256_hex(bytes, n, a.sha);
    pb_random_bytes(r, sizeof r);
    pb_hex(r, sizeof r, rnd);
    snprintf(rel, sizeof rel, "certificates/%lld/%s.%s", (long long)application_id, rnd, ext);
    a.rel = rel;
    snprintf(dir, sizeof dir, "%s/certificates/%lld", data_dir, (long long)application_id);
    snprintf(path, sizeof path, "%s/%s", data_dir, rel);
    /* The file first (new, private), then the row; a failed transaction removes the file. */
    if (mkdirs(dir) ||
        (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
        return pb_err_set(err, PB_E_IO, "无法保存文件", "the file could not be stored");
    {
        size_t off = 0;
        while (off < n) {
            ssize_t w = write(fd, bytes + off, n - off);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        if (off != n || fsync(fd) || close(fd)) {
            if (off != n)
                close(fd);
            unlink(path);
            return pb_err_set(err, PB_E_IO, "无法保存文件", "the file could not be stored");
        }
    }
    rc = pb_db_tx(c->db, 1, upload_tx, &a, err);
    if (rc < 0) {
        unlink(path);
        if (!err->detail_en[0] && err->nfields)
            pb_err_set(err, err->rc, "%s", "%s", err->fields[0].zh, err->fields[0].en);
        return rc;
    }
    *id = a.id;
    return 0;
}

/* May the caller see this application's certificates? 1 yes (staff sets *staff). */
static int app_reach(struct pb_ctx *c, int64_t app_id, char region[16], int *staff,
                     struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, ok = 0;
    *staff = pb_apt_is_staff(c->who);
    if ((rc = pb_db_prepare(
             c->db, "SELECT region_code, account_id FROM apartment_application WHERE id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, app_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_strlcpy(region, pb_stmt_col_text(st, 0), 16);
        ok = *staff ? pb_principal_region_ok(c->who, region)
                    : c->who->role == PB_ROLE_APPLICANT &&
                          pb_stmt_col_int(st, 1) == c->who->account_id;
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    return ok ? 0 : pb_err_set(err, PB_E_NOT_FOUND, "申请不存在", "no such application");
}

int pb_apt_cert_list(struct pb_ctx *c, int64_t application_id, struct pb_buf *out,
                     struct pb_err *err)
{
    struct pb_stmt *st;
    char region[16];
    int rc, staff, n = 0;
    if ((rc = app_reach(c, application_id, region, &staff, err)))
        return rc;
    if ((rc = pb_db_prepare(c->db,
                            "SELECT id, filename, content_type, size, sha256, created_at, "
                            "purged_at FROM apartment_certificate WHERE application_id = ? ORDER "
                            "BY id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, application_id);
    pb_buf_adds(out, "{\"items\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_buf_printf(out, "%s{\"id\":%lld,\"filename\":", n++ ? "," : "",
                      (long long)pb_stmt_col_int(st, 0));
        pb_buf_json_str(out, pb_stmt_col_text(st, 1));
        pb_buf_adds(out, ",\"content_type\":");
        pb_buf_json_str(out, pb_stmt_col_text(st, 2));
        pb_buf_printf(out, ",\"size\":%lld,\"sha256\":\"%s\",\"purged\":%s}",
                      (long long)pb_stmt_col_int(st, 3), pb_stmt_col_text(st, 4),
                      pb_stmt_col_null(st, 6) ? "false" : "true");
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_buf_printf(out, "],\"total\":%d}", n);
    return 0;
}

struct view_args {
    struct pb_ctx *c;
    int64_t id, app;
    const char *region;
};

static int view_audit_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct view_args *a = ctx;
    char obj[24], ch[64];
    (void)db;
    snprintf(obj, sizeof obj, "%lld", (long long)a->app);
    snprintf(ch, sizeof ch, "{\"certificate\":%lld}", (long long)a->id);
    return pb_audit_write(a->c,
                          &(struct pb_audit_rec){.action = "certificate_view",
                                                 .resource = "apartment_applications",
                                                 .object_id = obj,
                                                 .region_code = a->region,
                                                 .result = "ok",
                                                 .changes = ch},
                          err);
}

int pb_apt_cert_get(struct pb_ctx *c, int64_t id, struct pb_buf *out, const char **content_type,
                    struct pb_err *err)
{
    struct pb_stmt *st;
    char region[16], rel[96] = "", path[700], ctype[32] = "";
    int64_t app = 0;
    int rc, staff, fd;
    if ((rc = pb_db_prepare(c->db,
                            "SELECT application_id, path, content_type FROM apartment_certificate "
                            "WHERE id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        app = pb_stmt_col_int(st, 0);
        pb_strlcpy(rel, pb_stmt_col_text(st, 1), sizeof rel);
        pb_strlcpy(ctype, pb_stmt_col_text(st, 2), sizeof ctype);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!app)
        return pb_err_set(err, PB_E_NOT_FOUND, "文件不存在", "no such file");
    if ((rc = app_reach(c, app, region, &staff, err)))
        return rc;
    if (!rel[0])
        return pb_err_set(err, PB_E_NOT_FOUND, "文件已按规定清除", "the file was purged");
    snprintf(path, sizeof path, "%s/%s", data_dir, rel);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return pb_err_set(err, PB_E_NOT_FOUND, "文件不存在", "no such file");
    for (;;) {
        char buf[16384];
        ssize_t r = read(fd, buf, sizeof buf);
        if (r <= 0)
            break;
        pb_buf_add(out, buf, (size_t)r);
    }
    close(fd);
    if (staff) {
        /* A staff member looking at a personal document is recorded, like an unmask. */
        struct view_args a = {c, id, app, region};
        if ((rc = pb_db_tx(c->db, 1, view_audit_tx, &a, err)) < 0)
            return rc;
    }
    *content_type = !strcmp(ctype, "application/pdf") ? "application/pdf"
                    : !strcmp(ctype, "image/png")     ? "image/png"
                                                      : "image/jpeg";
    return 0;
}

/* After a purge: remove the files of purged applications (outside the transaction: a file
 * left behind by a crash is removed by the next purge). Returns the number removed. */
int pb_apt_cert_remove_purged(struct pb_ctx *c)
{
    struct pb_stmt *st;
    int64_t ids[256];
    char rels[256][96];
    int n = 0, removed = 0;
    if (pb_db_prepare(c->db,
                      "SELECT c.id, c.path FROM apartment_certificate c JOIN apartment_application "
                      "a ON a.id = c.application_id WHERE a.purged_at IS NOT NULL AND c.path <> '' "
                      "LIMIT 256",
                      &st))
        return 0;
    while (pb_stmt_step(st) == PB_ROW && n < 256) {
        ids[n] = pb_stmt_col_int(st, 0);
        pb_strlcpy(rels[n], pb_stmt_col_text(st, 1), sizeof rels[n]);
        n++;
    }
    pb_stmt_done(st);
    for (int i = 0; i < n; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%.95s", data_dir, rels[i]);
        if (unlink(path) && errno != ENOENT)
            continue;
        if (pb_db_prepare(c->db,
                          "UPDATE apartment_certificate SET path = '', purged_at = ? WHERE id = ?",
                          &st))
            continue;
        pb_stmt_bind_int(st, 1, c->now_ms);
        pb_stmt_bind_int(st, 2, ids[i]);
        if (pb_stmt_step(st) == PB_DONE)
            removed++;
        pb_stmt_done(st);
    }
    return removed;
}
