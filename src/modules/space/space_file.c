/* space_file.c: photos and documents of the idle-space library (issue 3).
 *
 * The type is decided by the file's first bytes, never by its name or the client's
 * Content-Type: JPEG (FF D8 FF), PNG (89 50 4E 47 0D 0A 1A 0A) or PDF (%PDF-). The bytes are
 * written under <data dir>/uploads/ with a random name (the client's name is metadata only,
 * so it can never pick a path), then the metadata row and the audit record are written in
 * one transaction; if that fails the file is removed again. Reads check the space's scope. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/util/crypto.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"
#include "modules/space/space.h"

static const char *sniff(const unsigned char *p, size_t n, const char **ext)
{
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) {
        *ext = "jpg";
        return "image/jpeg";
    }
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8)) {
        *ext = "png";
        return "image/png";
    }
    if (n >= 5 && !memcmp(p, "%PDF-", 5)) {
        *ext = "pdf";
        return "application/pdf";
    }
    return NULL;
}

/* The space's region if it exists and the caller may see it; else 404 (denial recorded when
 * it exists elsewhere). */
static int space_region(struct pb_ctx *c, int64_t space_id, char region[16], const char *action,
                        struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, found = 0, ok = 0;
    region[0] = 0;
    if ((rc = pb_db_prepare(c->db,
                            "SELECT region_code, park_id FROM space WHERE id = ? AND archived_at "
                            "IS NULL",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, space_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        found = 1;
        pb_strlcpy(region, pb_stmt_col_text(st, 0), 16);
        if (pb_principal_by_park(c->who))
            ok = !pb_stmt_col_null(st, 1) && pb_principal_park_ok(c->who, pb_stmt_col_int(st, 1));
        else
            ok = c->who->role != PB_ROLE_ENTERPRISE && pb_principal_region_ok(c->who, region);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!ok) {
        c->denied.set = found;
        c->denied.resource = "spaces";
        snprintf(c->denied.object_id, sizeof c->denied.object_id, "%lld", (long long)space_id);
        pb_strlcpy(c->denied.region_code, region, sizeof c->denied.region_code);
        c->denied.action = action;
        return pb_err_set(err, PB_E_NOT_FOUND, "资源不存在", "space not found");
    }
    return 0;
}

static void put_file(struct pb_buf *out, int64_t id, int64_t space_id, const char *name,
                     const char *type, int64_t size, const char *sha, int64_t at_ms)
{
    char at[32];
    pb_iso_utc(at_ms, at);
    pb_buf_printf(out, "{\"id\":%lld,\"space_id\":%lld,\"name\":", (long long)id,
                  (long long)space_id);
    pb_buf_json_str(out, name);
    pb_buf_adds(out, ",\"content_type\":");
    pb_buf_json_str(out, type);
    pb_buf_printf(out, ",\"size_bytes\":%lld,\"sha256\":\"%s\",\"url\":", (long long)size, sha);
    pb_buf_printf(out, "\"/api/v1/spaces/%lld/files/%lld\",\"created_at\":", (long long)space_id,
                  (long long)id);
    pb_buf_json_str(out, at);
    pb_buf_addc(out, '}');
}

struct add_args {
    struct pb_ctx *c;
    int64_t space_id, id;
    const char *name, *type, *stored, *sha;
    size_t len;
};

static int add_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct add_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct pb_stmt *st;
    struct pb_buf ch;
    char region[16], idtxt[24];
    int rc;
    if ((rc = space_region(c, a->space_id, region, "update", err)))
        return rc;
    if ((rc = pb_db_prepare(db,
                            "INSERT INTO space_file (space_id, region_code, name, content_type, "
                            "size_bytes, sha256, stored_name, created_at, created_by) VALUES (?, "
                            "?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->space_id);
    pb_stmt_bind_text(st, 2, region);
    pb_stmt_bind_text(st, 3, a->name);
    pb_stmt_bind_text(st, 4, a->type);
    pb_stmt_bind_int(st, 5, (int64_t)a->len);
    pb_stmt_bind_text(st, 6, a->sha);
    pb_stmt_bind_text(st, 7, a->stored);
    pb_stmt_bind_int(st, 8, c->now_ms);
    pb_stmt_bind_int(st, 9, c->who->account_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        a->id = pb_stmt_col_int(st, 0);
        rc = pb_stmt_step(st);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_buf_init(&ch, 0);
    pb_buf_printf(&ch, "{\"file_id\":%lld,\"name\":", (long long)a->id);
    pb_buf_json_str(&ch, a->name);
    pb_buf_adds(&ch, ",\"content_type\":");
    pb_buf_json_str(&ch, a->type);
    pb_buf_printf(&ch, ",\"size_bytes\":%zu,\"sha256\":\"%s\"}", a->len, a->sha);
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)a->space_id);
    rc = pb_audit_write(c,
                        &(struct pb_audit_rec){.action = "file_upload",
                                               .resource = "spaces",
                                               .object_id = idtxt,
                                               .region_code = region,
                                               .result = "ok",
                                               .changes = pb_buf_cstr(&ch)},
                        err);
    pb_buf_release(&ch);
    return rc;
}

int pb_space_file_add(struct pb_ctx *c, const char *data_dir, int64_t space_id, const char *name,
                      const void *data, size_t len, struct pb_buf *out, struct pb_err *err)
{
    const char *ext = NULL, *type = NULL;
    char dir[600], path[700], tmp[720], stored[64], sha[PB_SHA256_HEX_LEN + 1];
    unsigned char rnd[16];
    struct add_args a = {c, space_id, 0, name, NULL, stored, sha, len};
    int fd, rc;
    size_t off = 0;
    if (!pb_policy_allows(c->who->role, "spaces", PB_ACT_UPDATE))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    if (!name || !*name || pb_utf8_len(name) > 200 || !pb_utf8_valid(name, strlen(name)) ||
        strpbrk(name, "/\\\r\n\""))
        pb_err_field(err, PB_E_INVALID, "name", "invalid_name",
                     "请用 ?name= 给出文件名（200 字以内，不含 / \\ \" 和换行）",
                     "give the file name as ?name= (at most 200 characters, no / \\ \" or line "
                     "breaks)");
    if (!len)
        pb_err_field(err, PB_E_INVALID, "file", "empty", "文件为空", "the file is empty");
    else if (!(type = sniff(data, len, &ext)))
        pb_err_field(err, PB_E_INVALID, "file", "unsupported_type",
                     "只接受 JPEG、PNG 图片或 PDF 文档",
                     "only JPEG, PNG or PDF files are accepted");
    if (err->nfields)
        return pb_err_set(err, err->rc, "文件不能上传", "the file cannot be uploaded");
    a.type = type;
    pb_sha256_hex(data, len, sha);
    pb_random_bytes(rnd, sizeof rnd);
    pb_hex(rnd, sizeof rnd, stored);
    pb_strlcpy(stored + 32, ".", sizeof stored - 32);
    pb_strlcpy(stored + 33, ext, sizeof stored - 33);
    snprintf(dir, sizeof dir, "%s/uploads", data_dir);
    if (mkdir(dir, 0750) && errno != EEXIST)
        return pb_err_set(err, PB_E_INTERNAL, "无法保存文件", "the file cannot be stored");
    snprintf(path, sizeof path, "%s/%s", dir, stored);
    snprintf(tmp, sizeof tmp, "%s.part", path);
    /* Written under a temporary name and renamed: a crash never leaves half a file that a
     * row points to. */
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0)
        return pb_err_set(err, PB_E_INTERNAL, "无法保存文件", "the file cannot be stored");
    while (off < len) {
        ssize_t w = write(fd, (const char *)data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    if (off < len || fsync(fd) || close(fd) || rename(tmp, path)) {
        if (off < len)
            close(fd);
        unlink(tmp);
        return pb_err_set(err, PB_E_INTERNAL, "无法保存文件", "the file cannot be stored");
    }
    rc = pb_db_tx(c->db, 1, add_tx, &a, err);
    if (rc < 0) {
        unlink(path);
        return rc;
    }
    put_file(out, a.id, space_id, name, type, (int64_t)len, sha, c->now_ms);
    return 0;
}

int pb_space_files(struct pb_ctx *c, int64_t space_id, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    char region[16];
    int rc, n = 0;
    if (!pb_policy_allows(c->who->role, "spaces", PB_ACT_READ))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    if ((rc = space_region(c, space_id, region, "read", err)))
        return rc;
    if ((rc = pb_db_prepare(c->db,
                            "SELECT id, name, content_type, size_bytes, sha256, created_at FROM "
                            "space_file WHERE space_id = ? AND archived_at IS NULL ORDER BY id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, space_id);
    pb_buf_adds(out, "{\"items\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n++)
            pb_buf_addc(out, ',');
        put_file(out, pb_stmt_col_int(st, 0), space_id, pb_stmt_col_text(st, 1),
                 pb_stmt_col_text(st, 2), pb_stmt_col_int(st, 3), pb_stmt_col_text(st, 4),
                 pb_stmt_col_int(st, 5));
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_buf_adds(out, "]}");
    return 0;
}

int pb_space_file_open(struct pb_ctx *c, const char *data_dir, int64_t space_id, int64_t file_id,
                       struct pb_space_file *f, struct pb_err *err)
{
    struct pb_stmt *st;
    char region[16], path[700], stored[64] = "";
    struct stat sb;
    int rc;
    memset(f, 0, sizeof *f);
    f->fd = -1;
    if (!pb_policy_allows(c->who->role, "spaces", PB_ACT_READ))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    if ((rc = space_region(c, space_id, region, "read", err)))
        return rc;
    if ((rc = pb_db_prepare(c->db,
                            "SELECT name, content_type, stored_name FROM space_file WHERE id = ? "
                            "AND space_id = ? AND archived_at IS NULL",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, file_id);
    pb_stmt_bind_int(st, 2, space_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_strlcpy(f->name, pb_stmt_col_text(st, 0), sizeof f->name);
        pb_strlcpy(f->content_type, pb_stmt_col_text(st, 1), sizeof f->content_type);
        pb_strlcpy(stored, pb_stmt_col_text(st, 2), sizeof stored);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!stored[0])
        return pb_err_set(err, PB_E_NOT_FOUND, "文件不存在", "file not found");
    snprintf(path, sizeof path, "%s/uploads/%s", data_dir, stored);
    if ((f->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(f->fd, &sb)) {
        if (f->fd >= 0)
            close(f->fd);
        f->fd = -1;
        return pb_err_set(err, PB_E_NOT_FOUND, "文件不存在", "file not found");
    }
    f->size = (int64_t)sb.st_size;
    return 0;
}
