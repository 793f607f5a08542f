/* demand.c: the staff's steps on a space demand's matches (招商租赁平台, issue 3): shortlist a
 * space, arrange a visit, turn a match into a lease.
 *
 * Each step is a row of demand_step, written in one transaction with the demand's new status
 * and an audit record on the demand. Turning a match into a lease creates the lease through
 * pb_res_create(&pb_res_leases), the very path of POST /api/v1/leases (scope of the units,
 * overlap check, units to signed, the lease's own audit record), nested in the same
 * transaction, so the lease and the demand's step commit or roll back together. */
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"
#include "modules/space/space.h"

struct demand_row {
    char region[16];
    char status[16];
    int64_t enterprise_id; /* 0: none */
};

/* Lock the demand (an UPDATE, so concurrent steps serialise on PostgreSQL) and read it. A
 * demand outside the caller's jurisdiction is "not found", and the denial is recorded. */
static int lock_demand(struct pb_ctx *c, int64_t id, struct demand_row *d, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, found = 0, visible;
    memset(d, 0, sizeof *d);
    if ((rc = pb_db_prepare(c->db,
                            "UPDATE demand SET version = version + 1, updated_at = ? WHERE id = ? "
                            "AND archived_at IS NULL RETURNING region_code, status, enterprise_id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, c->now_ms);
    pb_stmt_bind_int(st, 2, id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        found = 1;
        pb_strlcpy(d->region, pb_stmt_col_text(st, 0), sizeof d->region);
        pb_strlcpy(d->status, pb_stmt_col_text(st, 1), sizeof d->status);
        d->enterprise_id = pb_stmt_col_null(st, 2) ? 0 : pb_stmt_col_int(st, 2);
        rc = pb_stmt_step(st);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    visible = found && c->who->role != PB_ROLE_ENTERPRISE && !pb_principal_by_park(c->who) &&
              pb_principal_region_ok(c->who, d->region);
    if (!visible) {
        c->denied.set = found;
        c->denied.resource = "demands";
        snprintf(c->denied.object_id, sizeof c->denied.object_id, "%lld", (long long)id);
        pb_strlcpy(c->denied.region_code, d->region, sizeof c->denied.region_code);
        c->denied.action = "update";
        return pb_err_set(err, PB_E_NOT_FOUND, "用房需求不存在", "demand not found");
    }
    if (!strcmp(d->status, "closed") || !strcmp(d->status, "leased"))
        return pb_err_field(err, PB_E_CONFLICT, "status", "demand_closed", "该需求已签约或已关闭",
                            "the demand is already leased or closed");
    return 0;
}

/* The space, if it exists and is in the caller's jurisdiction (404 on space_id otherwise).
 * *unit_id is 0 for a space that is not a park unit. */
static int find_space(struct pb_ctx *c, int64_t id, char status[16], int64_t *unit_id,
                      struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, ok = 0;
    if ((rc = pb_db_prepare(c->db,
                            "SELECT region_code, status, unit_id FROM space WHERE id = ? AND "
                            "archived_at IS NULL",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        ok = pb_principal_region_ok(c->who, pb_stmt_col_text(st, 0));
        pb_strlcpy(status, pb_stmt_col_text(st, 1), 16);
        *unit_id = pb_stmt_col_null(st, 2) ? 0 : pb_stmt_col_int(st, 2);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!ok)
        return pb_err_field(err, PB_E_NOT_FOUND, "space_id", "not_found", "资源 %lld 不存在",
                            "space %lld not found", (long long)id);
    return 0;
}

/* A positive id from a JSON integer or a string of digits; 0 when absent or invalid. */
static int64_t json_id(json_t *v)
{
    int64_t id = 0;
    if (json_is_integer(v))
        id = json_integer_value(v);
    else if (json_is_string(v) && pb_parse_i64(json_string_value(v), &id))
        id = 0;
    return id > 0 ? id : 0;
}

struct step_args {
    struct pb_ctx *c;
    int64_t demand_id, space_id;
    const char *kind; /* shortlist | visit | lease */
    const char *date, *note;
    json_t *lease_body; /* lease: the body, minus space_id and note */
    struct pb_buf *out;
    size_t out_start;
    int64_t lease_id, lease_version;
};

static int write_step(struct pb_ctx *c, struct step_args *a, const struct demand_row *d,
                      const char *new_status, struct pb_err *err)
{
    struct pb_stmt *st;
    struct pb_buf ch;
    char idtxt[24], at[32];
    int64_t step_id = 0;
    int rc;
    if ((rc = pb_db_prepare(c->db,
                            "INSERT INTO demand_step (demand_id, region_code, space_id, kind, "
                            "visit_on, note, lease_id, created_at, created_by) VALUES (?, ?, ?, "
                            "?, ?, ?, ?, ?, ?) RETURNING id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->demand_id);
    pb_stmt_bind_text(st, 2, d->region);
    if (a->space_id)
        pb_stmt_bind_int(st, 3, a->space_id);
    else
        pb_stmt_bind_null(st, 3);
    pb_stmt_bind_text(st, 4, a->kind);
    pb_stmt_bind_text(st, 5, a->date);
    pb_stmt_bind_text(st, 6, a->note);
    if (a->lease_id)
        pb_stmt_bind_int(st, 7, a->lease_id);
    else
        pb_stmt_bind_null(st, 7);
    pb_stmt_bind_int(st, 8, c->now_ms);
    pb_stmt_bind_int(st, 9, c->who->account_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        step_id = pb_stmt_col_int(st, 0);
        rc = pb_stmt_step(st);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (strcmp(new_status, d->status)) {
        if ((rc = pb_db_prepare(c->db, "UPDATE demand SET status = ? WHERE id = ?", &st)))
            return rc;
        pb_stmt_bind_text(st, 1, new_status);
        pb_stmt_bind_int(st, 2, a->demand_id);
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
    }
    pb_buf_init(&ch, 0);
    pb_buf_printf(&ch, "{\"step_id\":%lld,\"space_id\":", (long long)step_id);
    if (a->space_id)
        pb_buf_printf(&ch, "%lld", (long long)a->space_id);
    else
        pb_buf_adds(&ch, "null");
    if (a->date) {
        pb_buf_adds(&ch, ",\"visit_on\":");
        pb_buf_json_str(&ch, a->date);
    }
    if (a->lease_id)
        pb_buf_printf(&ch, ",\"lease_id\":%lld", (long long)a->lease_id);
    pb_buf_adds(&ch, ",\"status\":[");
    pb_buf_json_str(&ch, d->status);
    pb_buf_addc(&ch, ',');
    pb_buf_json_str(&ch, new_status);
    pb_buf_adds(&ch, "]}");
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)a->demand_id);
    rc = pb_audit_write(c,
                        &(struct pb_audit_rec){.action = a->kind,
                                               .resource = "demands",
                                               .object_id = idtxt,
                                               .region_code = d->region,
                                               .result = "ok",
                                               .changes = pb_buf_cstr(&ch)},
                        err);
    pb_buf_release(&ch);
    if (rc < 0 || a->lease_id)
        return rc; /* a lease answers with the lease record, already in out */
    pb_iso_utc(c->now_ms, at);
    pb_buf_printf(a->out, "{\"id\":%lld,\"demand_id\":%lld,\"space_id\":", (long long)step_id,
                  (long long)a->demand_id);
    if (a->space_id)
        pb_buf_printf(a->out, "%lld", (long long)a->space_id);
    else
        pb_buf_adds(a->out, "null");
    pb_buf_adds(a->out, ",\"kind\":");
    pb_buf_json_str(a->out, a->kind);
    pb_buf_adds(a->out, ",\"visit_on\":");
    if (a->date)
        pb_buf_json_str(a->out, a->date);
    else
        pb_buf_adds(a->out, "null");
    pb_buf_adds(a->out, ",\"note\":");
    if (a->note)
        pb_buf_json_str(a->out, a->note);
    else
        pb_buf_adds(a->out, "null");
    pb_buf_adds(a->out, ",\"lease_id\":null,\"created_at\":");
    pb_buf_json_str(a->out, at);
    pb_buf_adds(a->out, ",\"demand_status\":");
    pb_buf_json_str(a->out, new_status);
    pb_buf_addc(a->out, '}');
    return 0;
}

static int step_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct step_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct demand_row d;
    char space_status[16] = "";
    int64_t unit_id = 0;
    const char *new_status;
    int rc;
    (void)db;
    a->out->len = a->out_start; /* a retried run starts over */
    a->lease_id = 0;
    if ((rc = lock_demand(c, a->demand_id, &d, err)))
        return rc;
    if (a->space_id && (rc = find_space(c, a->space_id, space_status, &unit_id, err)))
        return rc;
    if (!strcmp(a->kind, "lease")) {
        json_t *ent = json_object_get(a->lease_body, "enterprise_id");
        int64_t ent_id = ent ? json_id(ent) : 0;
        if (a->space_id) {
            char ids[24];
            if (!unit_id)
                return pb_err_field(err, PB_E_INVALID, "space_id", "not_a_park_unit",
                                    "只有园区单元可在平台上签约",
                                    "only a park unit can be leased through the platform");
            if (json_object_get(a->lease_body, "unit_ids"))
                return pb_err_field(err, PB_E_INVALID, "unit_ids", "space_or_units",
                                    "请填写资源或单元之一", "give space_id or unit_ids, not both");
            snprintf(ids, sizeof ids, "%lld", (long long)unit_id);
            json_object_set_new(a->lease_body, "unit_ids", json_string(ids));
        }
        /* The lease is the applicant's: the demand's enterprise, or (a newcomer's demand) the
         * enterprise named in the body, which must be registered first. */
        if (d.enterprise_id && ent && ent_id != d.enterprise_id)
            return pb_err_field(err, PB_E_INVALID, "enterprise_id", "not_the_applicant",
                                "企业须为该需求的提出企业",
                                "the enterprise must be the demand's applicant");
        if (!d.enterprise_id && !ent)
            return pb_err_field(err, PB_E_INVALID, "enterprise_id", "required",
                                "该需求未关联企业：请先登记企业并填写企业编号",
                                "the demand names no enterprise: register it and give its id");
        if (d.enterprise_id && !ent)
            json_object_set_new(a->lease_body, "enterprise_id", json_integer(d.enterprise_id));
        if (!json_object_get(a->lease_body, "kind"))
            json_object_set_new(a->lease_body, "kind", json_string("lease"));
        if ((rc = pb_res_create(c, &pb_res_leases, a->lease_body, a->out, &a->lease_id,
                                &a->lease_version, err)))
            return rc;
        new_status = "leased";
    } else {
        int64_t dup = 0;
        struct pb_stmt *st;
        if (strcmp(space_status, "available") && strcmp(space_status, "reserved"))
            return pb_err_field(err, PB_E_CONFLICT, "space_id", "not_available",
                                "该资源已去化或已撤回", "the space is taken or withdrawn");
        if (!strcmp(a->kind, "shortlist")) {
            if ((rc = pb_db_prepare(c->db,
                                    "SELECT id FROM demand_step WHERE demand_id = ? AND space_id "
                                    "= ? AND kind = 'shortlist'",
                                    &st)))
                return rc;
            pb_stmt_bind_int(st, 1, a->demand_id);
            pb_stmt_bind_int(st, 2, a->space_id);
            if ((rc = pb_stmt_step(st)) == PB_ROW)
                dup = pb_stmt_col_int(st, 0);
            pb_stmt_done(st);
            if (rc < 0)
                return rc;
            if (dup)
                return pb_err_field(err, PB_E_CONFLICT, "space_id", "already_shortlisted",
                                    "该资源已入围", "the space is already on the shortlist");
            new_status = !strcmp(d.status, "open") ? "shortlisted" : d.status;
        } else {
            new_status = "visiting";
        }
    }
    return write_step(c, a, &d, new_status, err);
}

static int run_step(struct step_args *a, struct pb_err *err)
{
    int rc;
    if (!pb_policy_allows(a->c->who->role, "demands", PB_ACT_UPDATE))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    a->out_start = a->out->len;
    rc = pb_db_tx(a->c->db, 1, step_tx, a, err);
    if (rc < 0) {
        a->out->len = a->out_start;
        if (err->nfields && !err->detail_en[0])
            pb_err_set(err, err->rc, "不能执行此操作", "this cannot be done");
    }
    return rc < 0 ? rc : 0;
}

/* Read the body's space_id (required unless `optional`), note and (visits) date. */
static int step_body(json_t *body, int need_date, int optional, struct step_args *a,
                     struct pb_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (!strcmp(key, "space_id")) {
            if (!(a->space_id = json_id(v)))
                pb_err_field(err, PB_E_INVALID, "space_id", "invalid_id", "「资源」应为正整数编号",
                             "space_id must be a positive id");
        } else if (!strcmp(key, "note")) {
            if (!json_is_string(v) && !json_is_null(v))
                pb_err_field(err, PB_E_INVALID, "note", "invalid_type", "「备注」应为字符串",
                             "note must be a string");
            else if (json_is_string(v) && pb_utf8_len(json_string_value(v)) > 2000)
                pb_err_field(err, PB_E_INVALID, "note", "too_long", "备注过长",
                             "the note is too long");
            else
                a->note = json_string_value(v);
        } else if (need_date && !strcmp(key, "date")) {
            if (!json_is_string(v) || !pb_date_valid(json_string_value(v)))
                pb_err_field(err, PB_E_INVALID, "date", "invalid_date",
                             "日期应为有效日期，格式 YYYY-MM-DD",
                             "date must be a real date as YYYY-MM-DD");
            else
                a->date = json_string_value(v);
        } else if (!optional) {
            pb_err_field(err, PB_E_BAD_REQUEST, strlen(key) < 60 ? key : "?", "unknown_field",
                         "未知字段 %s", "unknown field %s", strlen(key) < 60 ? key : "?");
        }
    }
    if (!a->space_id && !json_object_get(body, "space_id") && !optional)
        pb_err_field(err, PB_E_INVALID, "space_id", "required", "「资源」为必填项",
                     "space_id is required");
    if (need_date && !a->date && !json_object_get(body, "date"))
        pb_err_field(err, PB_E_INVALID, "date", "required", "「日期」为必填项", "date is required");
    return err->nfields
               ? pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields")
               : 0;
}

int pb_demand_shortlist(struct pb_ctx *c, int64_t demand_id, json_t *body, struct pb_buf *out,
                        struct pb_err *err)
{
    struct step_args a = {.c = c, .demand_id = demand_id, .kind = "shortlist", .out = out};
    int rc;
    if ((rc = step_body(body, 0, 0, &a, err)))
        return rc;
    return run_step(&a, err);
}

int pb_demand_visit(struct pb_ctx *c, int64_t demand_id, json_t *body, struct pb_buf *out,
                    struct pb_err *err)
{
    struct step_args a = {.c = c, .demand_id = demand_id, .kind = "visit", .out = out};
    int rc;
    if ((rc = step_body(body, 1, 0, &a, err)))
        return rc;
    return run_step(&a, err);
}

int pb_demand_lease(struct pb_ctx *c, int64_t demand_id, json_t *body, struct pb_buf *out,
                    int64_t *lease_id, int64_t *version, struct pb_err *err)
{
    struct step_args a = {.c = c, .demand_id = demand_id, .kind = "lease", .out = out};
    json_t *lb;
    int rc;
    /* space_id and note are the step's; the rest is the lease's body, checked by the engine. */
    if ((rc = step_body(body, 0, 1, &a, err)))
        return rc;
    if (!a.space_id && !json_object_get(body, "unit_ids"))
        return pb_err_field(err, PB_E_INVALID, "space_id", "required",
                            "请填写资源（space_id）或单元（unit_ids）",
                            "give space_id or unit_ids");
    lb = json_deep_copy(body);
    json_object_del(lb, "space_id");
    json_object_del(lb, "note");
    a.lease_body = lb;
    rc = run_step(&a, err);
    /* The step's note lives in the step; a.note points into body, not lb. */
    json_decref(lb);
    if (rc)
        return rc;
    if (lease_id)
        *lease_id = a.lease_id;
    if (version)
        *version = a.lease_version;
    return 0;
}

int pb_demand_steps(struct pb_ctx *c, int64_t demand_id, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    struct pb_buf scratch;
    int rc, n = 0;
    if (!pb_policy_allows(c->who->role, "demands", PB_ACT_READ))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    /* Visibility as the demand's own GET (region, or the enterprise's own demand). */
    pb_buf_init(&scratch, 0);
    rc = pb_res_get(c, &pb_res_demands, demand_id, 0, &scratch, NULL, err);
    pb_buf_release(&scratch);
    if (rc)
        return rc;
    if ((rc = pb_db_prepare(c->db,
                            "SELECT id, space_id, kind, visit_on, note, lease_id, created_at FROM "
                            "demand_step WHERE demand_id = ? ORDER BY id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, demand_id);
    pb_buf_printf(out, "{\"demand_id\":%lld,\"items\":[", (long long)demand_id);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        char at[32];
        pb_iso_utc(pb_stmt_col_int(st, 6), at);
        pb_buf_printf(out, "%s{\"id\":%lld,\"space_id\":", n++ ? "," : "",
                      (long long)pb_stmt_col_int(st, 0));
        if (pb_stmt_col_null(st, 1))
            pb_buf_adds(out, "null");
        else
            pb_buf_printf(out, "%lld", (long long)pb_stmt_col_int(st, 1));
        pb_buf_adds(out, ",\"kind\":");
        pb_buf_json_str(out, pb_stmt_col_text(st, 2));
        for (int k = 3; k <= 4; k++) {
            pb_buf_adds(out, k == 3 ? ",\"visit_on\":" : ",\"note\":");
            if (pb_stmt_col_null(st, k))
                pb_buf_adds(out, "null");
            else
                pb_buf_json_str(out, pb_stmt_col_text(st, k));
        }
        pb_buf_adds(out, ",\"lease_id\":");
        if (pb_stmt_col_null(st, 5))
            pb_buf_adds(out, "null");
        else
            pb_buf_printf(out, "%lld", (long long)pb_stmt_col_int(st, 5));
        pb_buf_adds(out, ",\"created_at\":");
        pb_buf_json_str(out, at);
        pb_buf_addc(out, '}');
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_buf_adds(out, "]}");
    return 0;
}
