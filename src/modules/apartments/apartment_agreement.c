/* apartment_agreement.c: the residence agreement's texts (zh-CN and en), versioned. The
 * current version is the setting agreement_version; the desk shows its text and the guest
 * accepts it at check-in. A version a booking accepted never changes (409); admins publish a
 * new one. Every change is audited. */
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/store/db.h"
#include "core/util/validate.h"
#include "modules/apartments/apartment.h"
#include "modules/apartments/apartment_internal.h"

#define AGREEMENT_MAX_CHARS 20000

static void put_agreement(struct pb_buf *out, struct pb_stmt *st, int with_meta)
{
    pb_buf_adds(out, "{\"version\":");
    pb_buf_json_str(out, pb_stmt_col_text(st, 0));
    pb_buf_adds(out, ",\"text_zh\":");
    pb_buf_json_str(out, pb_stmt_col_text(st, 1));
    pb_buf_adds(out, ",\"text_en\":");
    pb_buf_json_str(out, pb_stmt_col_text(st, 2));
    if (with_meta)
        pb_buf_printf(out, ",\"accepted_by_bookings\":%lld,\"current\":%s",
                      (long long)pb_stmt_col_int(st, 3), pb_stmt_col_int(st, 4) ? "true" : "false");
    pb_buf_addc(out, '}');
}

int pb_apt_agreement_current_json(struct pb_db *db, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc;
    if ((rc = pb_db_prepare(db,
                            "SELECT g.version, g.text_zh, g.text_en FROM apartment_agreement g "
                            "JOIN apartment_setting s ON s.key = 'agreement_version' AND s.value "
                            "= g.version",
                            &st)))
        return pb_err_set(err, rc, "读取入住协议失败", "could not read the residence agreement");
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        put_agreement(out, st, 0);
    else if (rc == PB_DONE)
        pb_buf_adds(out, "null");
    pb_stmt_done(st);
    return rc < 0
               ? pb_err_set(err, rc, "读取入住协议失败", "could not read the residence agreement")
               : 0;
}

int pb_apt_agreements_list(struct pb_ctx *c, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, n = 0;
    if (!pb_apt_is_staff(c->who))
        return pb_err_set(err, PB_E_FORBIDDEN, "无权查看入住协议版本",
                          "you may not read the agreement versions");
    if ((rc = pb_db_prepare(c->db,
                            "SELECT g.version, g.text_zh, g.text_en, (SELECT COUNT(*) FROM "
                            "apartment_booking b WHERE b.agreement_version = g.version), CASE "
                            "WHEN EXISTS (SELECT 1 FROM apartment_setting s WHERE s.key = "
                            "'agreement_version' AND s.value = g.version) THEN 1 ELSE 0 END FROM "
                            "apartment_agreement g ORDER BY g.created_at DESC, g.version DESC",
                            &st)))
        return pb_err_set(err, rc, "读取入住协议失败", "could not read the residence agreement");
    pb_buf_adds(out, "{\"items\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n++)
            pb_buf_addc(out, ',');
        put_agreement(out, st, 1);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return pb_err_set(err, rc, "读取入住协议失败", "could not read the residence agreement");
    pb_buf_printf(out, "],\"total\":%d}", n);
    return 0;
}

struct agr_args {
    struct pb_ctx *c;
    const char *version, *zh, *en;
    int make_current, created;
    struct pb_buf *out;
};

static int agreement_put_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct agr_args *a = ctx;
    struct pb_stmt *st;
    int rc;
    int64_t accepted = 0, exists = 0;
    struct pb_buf ch;
    if ((rc = pb_db_prepare(db,
                            "SELECT (SELECT COUNT(*) FROM apartment_agreement WHERE version = ?), "
                            "(SELECT COUNT(*) FROM apartment_booking WHERE agreement_version = ?)",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, a->version);
    pb_stmt_bind_text(st, 2, a->version);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        exists = pb_stmt_col_int(st, 0);
        accepted = pb_stmt_col_int(st, 1);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (accepted)
        return pb_err_field(err, PB_E_CONFLICT, "version", "accepted",
                            "版本 %s 已有 %lld 位入住人签署，不能再修改；请发布新版本",
                            "version %s was accepted by %lld guests and can no longer change; "
                            "publish a new version",
                            a->version, (long long)accepted, a->version, (long long)accepted);
    a->created = !exists;
    if ((rc = pb_db_prepare(db,
                            exists ? "UPDATE apartment_agreement SET text_zh = ?, text_en = ?, "
                                     "updated_at = ?, updated_by = ? WHERE version = ?"
                                   : "INSERT INTO apartment_agreement (text_zh, text_en, "
                                     "created_at, updated_at, updated_by, version) VALUES (?, ?, "
                                     "?, ?, ?, ?)",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, a->zh);
    pb_stmt_bind_text(st, 2, a->en);
    pb_stmt_bind_int(st, 3, a->c->now_ms);
    if (exists) {
        pb_stmt_bind_int(st, 4, a->c->who->account_id);
        pb_stmt_bind_text(st, 5, a->version);
    } else {
        pb_stmt_bind_int(st, 4, a->c->now_ms);
        pb_stmt_bind_int(st, 5, a->c->who->account_id);
        pb_stmt_bind_text(st, 6, a->version);
    }
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (a->make_current) {
        if ((rc = pb_db_prepare(db,
                                "UPDATE apartment_setting SET value = ? WHERE key = "
                                "'agreement_version'",
                                &st)))
            return rc;
        pb_stmt_bind_text(st, 1, a->version);
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
    }
    /* The texts are not personal data: the audit keeps them, so what changed is on record. */
    pb_buf_init(&ch, 8192);
    pb_buf_adds(&ch, "{\"version\":");
    pb_buf_json_str(&ch, a->version);
    pb_buf_adds(&ch, ",\"text_zh\":");
    pb_buf_json_str(&ch, a->zh);
    pb_buf_adds(&ch, ",\"text_en\":");
    pb_buf_json_str(&ch, a->en);
    pb_buf_printf(&ch, ",\"current\":%s}", a->make_current ? "true" : "false");
    rc = pb_audit_write(a->c,
                        &(struct pb_audit_rec){.action = a->created ? "create" : "update",
                                               .resource = "apartment_agreements",
                                               .object_id = a->version,
                                               .region_code = "",
                                               .result = "ok",
                                               .changes = pb_buf_cstr(&ch)},
                        err);
    pb_buf_release(&ch);
    if (rc)
        return rc;
    if ((rc = pb_db_prepare(db,
                            "SELECT g.version, g.text_zh, g.text_en, 0, CASE WHEN EXISTS (SELECT "
                            "1 FROM apartment_setting s WHERE s.key = 'agreement_version' AND "
                            "s.value = g.version) THEN 1 ELSE 0 END FROM apartment_agreement g "
                            "WHERE g.version = ?",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, a->version);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_buf_reset(a->out);
        put_agreement(a->out, st, 1);
    }
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

static const char *text_member(json_t *body, const char *key, size_t max, int required,
                               struct pb_err *err)
{
    json_t *v = json_object_get(body, key);
    const char *s = json_string_value(v);
    if (!v && !required)
        return NULL;
    if (!s || !*s) {
        pb_err_field(err, PB_E_INVALID, key, "required", "「%s」为必填文本", "%s is required text",
                     key);
        return NULL;
    }
    if (pb_utf8_len(s) > max) {
        pb_err_field(err, PB_E_INVALID, key, "too_long", "「%s」过长（最多 %zu 字）",
                     "%s is too long (at most %zu characters)", key, max);
        return NULL;
    }
    return s;
}

int pb_apt_agreement_put(struct pb_ctx *c, json_t *body, struct pb_buf *out, int *created,
                         struct pb_err *err)
{
    struct agr_args a = {.c = c, .out = out};
    const char *k;
    json_t *v, *mc;
    int rc;
    if (c->who->role != PB_ROLE_ADMIN && c->who->role != PB_ROLE_SYSTEM)
        return pb_err_set(err, PB_E_FORBIDDEN, "只有平台管理员可以修改入住协议",
                          "only platform administrators may change the residence agreement");
    json_object_foreach(body, k, v)
    {
        (void)v;
        if (strcmp(k, "version") && strcmp(k, "text_zh") && strcmp(k, "text_en") &&
            strcmp(k, "make_current"))
            pb_err_field(err, PB_E_BAD_REQUEST, strlen(k) < 60 ? k : "?", "unknown_field",
                         "未知字段 %s", "unknown field %s", strlen(k) < 60 ? k : "?");
    }
    if (err->nfields)
        return pb_err_set(err, PB_E_BAD_REQUEST, "请求含有未知字段",
                          "the request has unknown fields");
    a.version = text_member(body, "version", 30, 1, err);
    a.zh = text_member(body, "text_zh", AGREEMENT_MAX_CHARS, 1, err);
    a.en = text_member(body, "text_en", AGREEMENT_MAX_CHARS, 1, err);
    mc = json_object_get(body, "make_current");
    if (mc && !json_is_boolean(mc))
        pb_err_field(err, PB_E_INVALID, "make_current", "type", "make_current 应为 true 或 false",
                     "make_current must be true or false");
    a.make_current = json_is_true(mc);
    if (err->nfields)
        return pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields");
    rc = pb_db_tx(c->db, 1, agreement_put_tx, &a, err);
    if (rc < 0) {
        if (!err->detail_en[0] && err->nfields)
            pb_err_set(err, err->rc, "%s", "%s", err->fields[0].zh, err->fields[0].en);
        return rc;
    }
    *created = a.created;
    return 0;
}

/* The setting agreement_version must name a stored text (settings_put_tx). */
int pb_apt_agreement_exists(struct pb_db *db, const char *version, int *exists)
{
    struct pb_stmt *st;
    int rc;
    *exists = 0;
    if ((rc = pb_db_prepare(db, "SELECT 1 FROM apartment_agreement WHERE version = ?", &st)))
        return rc;
    pb_stmt_bind_text(st, 1, version);
    rc = pb_stmt_step(st);
    *exists = rc == PB_ROW;
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}
