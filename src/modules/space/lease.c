/* lease.c: leases and sales of park units, and the absorption and occupancy rates computed
 * from their history (docs/space-and-rates.md).
 *
 * A lease covers one or more units of one park over [signed_on, ended_on or end_on). Two
 * leases of one unit must not overlap: the check locks the units' rows first (an UPDATE, so
 * that PostgreSQL serialises concurrent signings of the same unit, and SQLite's write lock
 * does the same), then looks for an overlapping lease. */
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/refdata.h"
#include "core/util/money.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"
#include "modules/space/space.h"

static const char *const lease_kinds[] = {"lease", "sale", NULL};
static const char *const lease_kinds_zh[] = {"租赁", "出售", NULL};
static const char *const lease_kinds_en[] = {"Lease", "Sale", NULL};
static const char *const lease_statuses[] = {"signed", "occupied", "ended", NULL};
static const char *const lease_statuses_zh[] = {"已签约", "已入驻", "已结束", NULL};
static const char *const lease_statuses_en[] = {"Signed", "Occupied", "Ended", NULL};

#define MAX_LEASE_UNITS 64
#define FAR_END "9999-12-31"

static const struct pb_field lease_fields[] = {
    {"enterprise_id", PB_REF, .required = 1, .immutable = 1, .ref = "enterprises",
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "企业", .label_en = "Enterprise"},
    {"unit_ids", PB_TEXT, .required = 1, .immutable = 1, .max_len = 1000, .list = 1,
     .label_zh = "单元（编号，逗号分隔）", .label_en = "Units (ids, comma-separated)",
     .doc = "ids of units of one park, e.g. \"12,13\""},
    {"park_id", PB_REF, .readonly = 1, .ref = "parks", .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "园区", .label_en = "Park"},
    {"region_code", PB_REGION, .scope = 1, .readonly = 1, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "所在区域", .label_en = "Region"},
    {"kind", PB_ENUM, .required = 1, .immutable = 1, .enums = lease_kinds,
     .enum_zh = lease_kinds_zh, .enum_en = lease_kinds_en, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "方式", .label_en = "Kind"},
    {"area_m2", PB_AREA, .readonly = 1, .list = 1, .label_zh = "面积（平方米）",
     .label_en = "Area (m²)", .doc = "sum of the units' areas"},
    {"rent_fen", PB_MONEY, .min = 0, .max = (int64_t)1000000 * 100, .list = 1,
     .label_zh = "租金（元/㎡·月）", .label_en = "Rent (yuan/m²/month)"},
    {"price_fen", PB_MONEY, .min = 0, .max = (int64_t)1000000000000 * 100, .list = 1,
     .label_zh = "售价（元）", .label_en = "Sale price (yuan)"},
    {"rent_free_months", PB_INT, .min = 0, .max = 120, .list = 1, .label_zh = "免租期（月）",
     .label_en = "Rent-free months"},
    {"subsidy_ref", PB_TEXT, .max_len = 100, .list = 1, .label_zh = "补贴依据",
     .label_en = "Subsidy reference"},
    {"signed_on", PB_DATE, .required = 1, .immutable = 1, .filter = PB_FILTER_RANGE, .sortable = 1,
     .list = 1, .label_zh = "签约日期", .label_en = "Signed on"},
    {"start_on", PB_DATE, .list = 1, .label_zh = "起租日期", .label_en = "Starts on"},
    {"end_on", PB_DATE, .list = 1, .label_zh = "到期日期", .label_en = "Ends on",
     .doc = "contract end (leases); empty for a sale"},
    {"moved_in_on", PB_DATE, .readonly = 1, .list = 1, .label_zh = "入驻日期",
     .label_en = "Moved in on"},
    {"ended_on", PB_DATE, .readonly = 1, .list = 1, .label_zh = "退租日期", .label_en = "Ended on"},
    {"status", PB_ENUM, .readonly = 1, .enums = lease_statuses, .enum_zh = lease_statuses_zh,
     .enum_en = lease_statuses_en, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "状态",
     .label_en = "Status"},
};

static struct pb_val *val(const struct pb_rec *rec, const char *f)
{
    return (struct pb_val *)pb_rec_get(rec, f);
}

/* Parse "12, 13" into sorted unique ids. Returns the count, or -1. */
static int parse_ids(const char *s, int64_t *ids, int max)
{
    int n = 0;
    while (s && *s) {
        int64_t v = 0;
        int digits = 0;
        while (*s == ' ' || *s == ',')
            s++;
        if (!*s)
            break;
        while (*s >= '0' && *s <= '9' && digits < 18) {
            v = v * 10 + (*s++ - '0');
            digits++;
        }
        if (!digits || v <= 0 || (*s && *s != ',' && *s != ' ') || n == max)
            return -1;
        /* insertion keeps them sorted: locks are always taken in id order (no deadlock) */
        {
            int i = n;
            while (i > 0 && ids[i - 1] > v) {
                ids[i] = ids[i - 1];
                i--;
            }
            if (i > 0 && ids[i - 1] == v)
                return -1;
            ids[i] = v;
            n++;
        }
    }
    return n;
}

static int lease_derive(struct pb_ctx *c, struct pb_rec *rec, int creating, struct pb_err *err)
{
    int64_t ids[MAX_LEASE_UNITS], park = 0, area = 0;
    int n = parse_ids(val(rec, "unit_ids")->s, ids, MAX_LEASE_UNITS), rc;
    struct pb_stmt *st;
    const char *region = NULL;
    char norm[MAX_LEASE_UNITS * 20];
    size_t len = 0;
    if (n <= 0)
        return pb_err_field(err, PB_E_INVALID, "unit_ids", "invalid_list",
                            "请填写单元编号，以逗号分隔（最多 64 个）",
                            "list unit ids separated by commas (at most 64)");
    for (int i = 0; i < n; i++) {
        int64_t p = 0, a = 0;
        int found = 0;
        if ((rc = pb_db_prepare(c->db,
                                "SELECT park_id, area_m2 FROM unit WHERE id = ? AND archived_at "
                                "IS NULL",
                                &st)))
            return rc;
        pb_stmt_bind_int(st, 1, ids[i]);
        if ((rc = pb_stmt_step(st)) == PB_ROW) {
            found = 1;
            p = pb_stmt_col_int(st, 0);
            a = pb_stmt_col_int(st, 1);
        }
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        if (found && !park) {
            struct pb_err tmp;
            pb_err_clear(&tmp);
            if (pb_space_park_visible(c, p, "unit_ids", &region, &tmp))
                found = 0;
            else
                park = p;
        }
        /* A unit of another county (or absent) is "not found": existence does not leak. */
        if (!found)
            return pb_err_field(err, PB_E_NOT_FOUND, "unit_ids", "not_found", "单元 %lld 不存在",
                                "unit %lld not found", (long long)ids[i]);
        if (p != park)
            return pb_err_field(err, PB_E_INVALID, "unit_ids", "mixed_parks",
                                "一份租约的单元须属于同一园区",
                                "the units of one lease must be in one park");
        area += a;
        len += (size_t)snprintf(norm + len, sizeof norm - len, "%s%lld", i ? "," : "",
                                (long long)ids[i]);
    }
    val(rec, "park_id")->is_null = 0;
    val(rec, "park_id")->i = park;
    val(rec, "region_code")->is_null = 0;
    val(rec, "region_code")->s = region;
    val(rec, "area_m2")->is_null = 0;
    val(rec, "area_m2")->i = area;
    if (creating) {
        val(rec, "unit_ids")->s = pb_arena_strdup(c->arena, norm);
        val(rec, "status")->is_null = 0;
        val(rec, "status")->s = "signed";
    }
    return 0;
}

static int lease_validate(struct pb_ctx *c, const struct pb_rec *rec, int creating,
                          struct pb_err *err)
{
    const struct pb_val *kind = pb_rec_get(rec, "kind");
    const struct pb_val *ent = pb_rec_get(rec, "enterprise_id");
    const struct pb_val *signed_on = pb_rec_get(rec, "signed_on");
    const struct pb_val *start = pb_rec_get(rec, "start_on");
    const struct pb_val *end = pb_rec_get(rec, "end_on");
    int64_t ids[MAX_LEASE_UNITS];
    int n, rc;
    struct pb_stmt *st;
    char today[32];

    /* The enterprise must be one the caller may see (404 otherwise). */
    if ((rc = pb_db_prepare(c->db,
                            "SELECT region_code, park_id FROM enterprise WHERE id = ? AND "
                            "archived_at IS NULL",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, ent->i);
    rc = pb_stmt_step(st);
    {
        int ok = 0;
        if (rc == PB_ROW) {
            const char *reg = pb_stmt_col_text(st, 0);
            ok = pb_principal_by_park(c->who) ? 1 /* firms lease in an operator's park */
                                              : pb_principal_region_ok(c->who, reg);
        }
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        if (!ok)
            return pb_err_field(err, PB_E_NOT_FOUND, "enterprise_id", "not_found",
                                "企业 %lld 不存在", "enterprise %lld not found", (long long)ent->i);
    }
    pb_iso_cst(c->now_ms, today);
    today[10] = 0;
    if (creating && strcmp(signed_on->s, today) > 0)
        pb_err_field(err, PB_E_INVALID, "signed_on", "in_future", "签约日期不能晚于今天",
                     "the signing date cannot be in the future");
    if (!strcmp(kind->s, "lease") && end->is_null)
        pb_err_field(err, PB_E_INVALID, "end_on", "required", "租赁须填写到期日期",
                     "a lease needs an end date");
    if (!strcmp(kind->s, "sale") && !end->is_null)
        pb_err_field(err, PB_E_INVALID, "end_on", "not_for_sale", "出售不设到期日期",
                     "a sale has no end date");
    if (!end->is_null && strcmp(end->s, start->is_null ? signed_on->s : start->s) <= 0)
        pb_err_field(err, PB_E_INVALID, "end_on", "before_start", "到期日期须晚于起租日期",
                     "the end must come after the start");
    if (err->nfields || !creating)
        return err->nfields
                   ? pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields")
                   : 0;

    n = parse_ids(pb_rec_get(rec, "unit_ids")->s, ids, MAX_LEASE_UNITS);
    for (int i = 0; i < n; i++) {
        int64_t other = 0;
        const char *st_status = NULL;
        /* Lock the unit's row (in id order) before looking for overlaps. */
        if ((rc = pb_db_prepare(c->db,
                                "UPDATE unit SET lock_seq = lock_seq + 1 WHERE id = ? RETURNING "
                                "status, for_sale",
                                &st)))
            return rc;
        pb_stmt_bind_int(st, 1, ids[i]);
        if ((rc = pb_stmt_step(st)) == PB_ROW) {
            st_status = pb_arena_strdup(c->arena, pb_stmt_col_text(st, 0));
            if (!strcmp(kind->s, "sale") && !pb_stmt_col_int(st, 1))
                pb_err_field(err, PB_E_INVALID, "kind", "not_for_sale", "单元 %lld 不出售",
                             "unit %lld is not for sale", (long long)ids[i]);
            rc = pb_stmt_step(st);
        }
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        if (st_status && !strcmp(st_status, "unavailable"))
            pb_err_field(err, PB_E_CONFLICT, "unit_ids", "unavailable", "单元 %lld 不可招商",
                         "unit %lld is not available", (long long)ids[i]);
        if ((rc = pb_db_prepare(
                 c->db,
                 "SELECT lu.lease_id FROM lease_unit lu JOIN lease l ON l.id = lu.lease_id WHERE "
                 "lu.unit_id = ? AND l.archived_at IS NULL AND lu.signed_on < ? AND "
                 "COALESCE(lu.ended_on, l.end_on, '" FAR_END "') > ? LIMIT 1",
                 &st)))
            return rc;
        pb_stmt_bind_int(st, 1, ids[i]);
        pb_stmt_bind_text(st, 2, end->is_null ? FAR_END : end->s);
        pb_stmt_bind_text(st, 3, signed_on->s);
        if ((rc = pb_stmt_step(st)) == PB_ROW)
            other = pb_stmt_col_int(st, 0);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        if (other)
            pb_err_field(err, PB_E_CONFLICT, "unit_ids", "overlap",
                         "单元 %lld 在该期间已有租约（%lld）",
                         "unit %lld already has a lease (%lld) in this period", (long long)ids[i],
                         (long long)other);
    }
    return err->nfields ? pb_err_set(err, err->rc, "不能签约：请检查标出的字段",
                                     "cannot sign: please check the marked fields")
                        : 0;
}

/* Set each unit's status from its live leases: occupied, signed, else vacant (a reserved or
 * unavailable unit without a lease keeps its status); then sync the library. */
static int refresh_units(struct pb_ctx *c, int64_t lease_id, const char *today, struct pb_err *err)
{
    struct pb_stmt *st;
    int64_t ids[MAX_LEASE_UNITS];
    int n = 0, rc;
    if ((rc = pb_db_prepare(c->db, "SELECT unit_id FROM lease_unit WHERE lease_id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, lease_id);
    while ((rc = pb_stmt_step(st)) == PB_ROW && n < MAX_LEASE_UNITS)
        ids[n++] = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        const char *status = NULL;
        if ((rc = pb_db_prepare(
                 c->db,
                 "SELECT MAX(CASE WHEN lu.moved_in_on IS NOT NULL THEN 2 ELSE 1 END) FROM "
                 "lease_unit lu JOIN lease l ON l.id = lu.lease_id WHERE lu.unit_id = ? AND "
                 "l.archived_at IS NULL AND lu.ended_on IS NULL AND lu.signed_on <= ?",
                 &st)))
            return rc;
        pb_stmt_bind_int(st, 1, ids[i]);
        pb_stmt_bind_text(st, 2, today);
        if ((rc = pb_stmt_step(st)) == PB_ROW && !pb_stmt_col_null(st, 0))
            status = pb_stmt_col_int(st, 0) == 2 ? "occupied" : "signed";
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        if (status)
            rc = pb_db_prepare(c->db,
                               "UPDATE unit SET status = ?, version = version + 1, updated_at = ? "
                               "WHERE id = ? AND status <> ?",
                               &st);
        else
            rc = pb_db_prepare(c->db,
                               "UPDATE unit SET status = ?, version = version + 1, updated_at = ? "
                               "WHERE id = ? AND status IN ('signed', 'occupied') AND status <> ?",
                               &st);
        if (rc)
            return rc;
        pb_stmt_bind_text(st, 1, status ? status : "vacant");
        pb_stmt_bind_int(st, 2, c->now_ms);
        pb_stmt_bind_int(st, 3, ids[i]);
        pb_stmt_bind_text(st, 4, status ? status : "vacant");
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        if ((rc = pb_space_sync_unit(c, ids[i], err)))
            return rc;
    }
    return 0;
}

static int lease_after_write(struct pb_ctx *c, int64_t id, const char *action, struct pb_err *err)
{
    struct pb_stmt *st;
    char today[32];
    int rc;
    pb_iso_cst(c->now_ms, today);
    today[10] = 0;
    if (!strcmp(action, "create") || !strcmp(action, "import")) {
        char units[MAX_LEASE_UNITS * 20 + 1], signed_on[16];
        int64_t ids[MAX_LEASE_UNITS];
        int n;
        if ((rc = pb_db_prepare(c->db, "SELECT unit_ids, signed_on FROM lease WHERE id = ?", &st)))
            return rc;
        pb_stmt_bind_int(st, 1, id);
        rc = pb_stmt_step(st);
        if (rc == PB_ROW) {
            pb_strlcpy(units, pb_stmt_col_text(st, 0), sizeof units);
            pb_strlcpy(signed_on, pb_stmt_col_text(st, 1), sizeof signed_on);
        }
        pb_stmt_done(st);
        if (rc != PB_ROW)
            return rc < 0 ? rc : PB_E_INTERNAL;
        n = parse_ids(units, ids, MAX_LEASE_UNITS);
        for (int i = 0; i < n; i++) {
            if ((rc = pb_db_prepare(c->db,
                                    "INSERT INTO lease_unit (lease_id, unit_id, signed_on) VALUES "
                                    "(?, ?, ?)",
                                    &st)))
                return rc;
            pb_stmt_bind_int(st, 1, id);
            pb_stmt_bind_int(st, 2, ids[i]);
            pb_stmt_bind_text(st, 3, signed_on);
            rc = pb_stmt_step(st);
            pb_stmt_done(st);
            if (rc < 0)
                return rc;
        }
        return refresh_units(c, id, today, err);
    }
    if (!strcmp(action, "archive")) {
        /* An archived (cancelled) lease no longer holds its units. */
        if ((rc = pb_db_prepare(c->db, "UPDATE lease_unit SET live = 0 WHERE lease_id = ?", &st)))
            return rc;
        pb_stmt_bind_int(st, 1, id);
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        return refresh_units(c, id, today, err);
    }
    return 0;
}

/* GET /api/v1/leases?unit_id=: the leases (of any state) that include the unit. */
static const struct pb_subfilter lease_subfilters[] = {
    {"unit_id", "id IN (SELECT lease_id FROM lease_unit WHERE unit_id = ?)"},
    {NULL, NULL},
};

const struct pb_resource pb_res_leases = {
    .name = "leases",
    .table = "lease",
    .label_zh = "租约",
    .label_en = "Lease",
    .fields = lease_fields,
    .nfields = PB_ARRAY_LEN(lease_fields),
    .default_sort = "-signed_on",
    .policy = "leases",
    .park_col = "park_id",
    .enterprise_col = "enterprise_id",
    .derive = lease_derive,
    .validate = lease_validate,
    .after_write = lease_after_write,
    .subfilters = lease_subfilters,
};

/* ---- move in, end ---- */

struct step_args {
    struct pb_ctx *c;
    int64_t id;
    const char *date;
    int end; /* 0 move in, 1 end */
};

static int step_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct step_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct pb_stmt *st;
    char today[32], idtxt[24], changes[200];
    char status[16] = "", signed_on[16] = "", moved[16] = "", region[16] = "";
    int64_t park = 0, enterprise = 0;
    int rc, visible;
    if ((rc = pb_db_prepare(db,
                            "UPDATE lease SET version = version + 1, updated_at = ? WHERE id = ? "
                            "AND archived_at IS NULL RETURNING status, signed_on, moved_in_on, "
                            "region_code, park_id, enterprise_id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, c->now_ms);
    pb_stmt_bind_int(st, 2, a->id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_strlcpy(status, pb_stmt_col_text(st, 0), sizeof status);
        pb_strlcpy(signed_on, pb_stmt_col_text(st, 1), sizeof signed_on);
        pb_strlcpy(moved, pb_stmt_col_text(st, 2), sizeof moved);
        pb_strlcpy(region, pb_stmt_col_text(st, 3), sizeof region);
        park = pb_stmt_col_int(st, 4);
        enterprise = pb_stmt_col_int(st, 5);
        rc = pb_stmt_step(st);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    visible = status[0] &&
              (pb_principal_by_park(c->who)
                   ? pb_principal_park_ok(c->who, park)
                   : c->who->role != PB_ROLE_ENTERPRISE && pb_principal_region_ok(c->who, region));
    if (!visible) {
        c->denied.set = status[0] != 0;
        c->denied.resource = "leases";
        snprintf(c->denied.object_id, sizeof c->denied.object_id, "%lld", (long long)a->id);
        pb_strlcpy(c->denied.region_code, region, sizeof c->denied.region_code);
        c->denied.action = a->end ? "end" : "move_in";
        return pb_err_set(err, PB_E_NOT_FOUND, "租约不存在", "lease not found");
    }
    pb_iso_cst(c->now_ms, today);
    today[10] = 0;
    if (!a->date || !pb_date_valid(a->date))
        return pb_err_field(err, PB_E_INVALID, "date", "invalid_date",
                            "日期应为有效日期，格式 YYYY-MM-DD",
                            "date must be a real date as YYYY-MM-DD");
    if (strcmp(a->date, today) > 0)
        return pb_err_field(err, PB_E_INVALID, "date", "in_future", "日期不能晚于今天",
                            "the date cannot be in the future");
    if (strcmp(a->date, moved[0] ? moved : signed_on) < 0)
        return pb_err_field(err, PB_E_INVALID, "date", "before_last_event",
                            "日期不能早于签约或入驻日期",
                            "the date cannot be before the signing or move-in");
    if (!strcmp(status, "ended") || (!a->end && strcmp(status, "signed")))
        return pb_err_field(err, PB_E_CONFLICT, "status", "transition_not_allowed",
                            "租约当前状态不允许此操作", "the lease's status does not allow this");
    if ((rc = pb_db_prepare(db,
                            a->end ? "UPDATE lease SET status = 'ended', ended_on = ? WHERE id = ?"
                                   : "UPDATE lease SET status = 'occupied', moved_in_on = ? "
                                     "WHERE id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, a->date);
    pb_stmt_bind_int(st, 2, a->id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if ((rc = pb_db_prepare(db,
                            a->end ? "UPDATE lease_unit SET ended_on = ?, live = 0 WHERE lease_id "
                                     "= ?"
                                   : "UPDATE lease_unit SET moved_in_on = ? WHERE lease_id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, a->date);
    pb_stmt_bind_int(st, 2, a->id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if ((rc = refresh_units(c, a->id, today, err)))
        return rc;
    /* Moving in is the tenant's 入驻 in the register too, when it is still at 签约
     * (docs/space-and-rates.md). */
    if (!a->end && (rc = pb_enterprise_moved_in_by_lease(c, enterprise, a->id, a->date, err)) < 0)
        return rc;
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)a->id);
    snprintf(changes, sizeof changes, "{\"status\":[\"%s\",\"%s\"],\"%s\":\"%s\"}", status,
             a->end ? "ended" : "occupied", a->end ? "ended_on" : "moved_in_on", a->date);
    return pb_audit_write(c,
                          &(struct pb_audit_rec){.action = a->end ? "end" : "move_in",
                                                 .resource = "leases",
                                                 .object_id = idtxt,
                                                 .region_code = region,
                                                 .result = "ok",
                                                 .changes = changes},
                          err);
}

static int lease_step(struct pb_ctx *c, int64_t id, const char *date, int end, struct pb_buf *out,
                      struct pb_err *err)
{
    struct step_args a = {c, id, date, end};
    int rc;
    if (!pb_policy_allows(c->who->role, "leases", PB_ACT_UPDATE))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    rc = pb_db_tx(c->db, 1, step_tx, &a, err);
    if (rc < 0) {
        if (err->nfields && !err->detail_en[0])
            pb_err_set(err, err->rc, "不能执行此操作", "this cannot be done");
        return rc;
    }
    return out ? pb_res_get(c, &pb_res_leases, id, 0, out, NULL, err) : 0;
}

int pb_lease_move_in(struct pb_ctx *c, int64_t id, const char *date, struct pb_buf *out,
                     struct pb_err *err)
{
    return lease_step(c, id, date, 0, out, err);
}

int pb_lease_end(struct pb_ctx *c, int64_t id, const char *date, struct pb_buf *out,
                 struct pb_err *err)
{
    return lease_step(c, id, date, 1, out, err);
}

/* ---- rates ---- */

/* The WHERE fragment (after FROM unit u JOIN building b JOIN park p) that selects the
 * marketable units of the scope at date ?: not archived, not unavailable, in a building
 * completed by the date (or with no date recorded). */
#define MARKETABLE                                                                                 \
    " u.archived_at IS NULL AND b.archived_at IS NULL AND p.archived_at IS NULL AND u.status <> "  \
    "'unavailable' AND (b.completed_on IS NULL OR b.completed_on <= ?)"

struct rates_args {
    struct pb_ctx *c;
    const char *scope, *id, *date;
    struct pb_rates *out;
};

static int rates_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct rates_args *a = ctx;
    struct pb_buf sql;
    struct pb_stmt *st;
    int rc;
    int64_t park_id = 0;
    pb_buf_init(&sql, 0);
    /* Each unit counts once: signed if some lease of it is signed by the date and not ended
     * by it; occupied if that lease had also moved in by the date. */
    pb_buf_adds(&sql,
                "SELECT COALESCE(SUM(u.area_m2), 0), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM "
                "lease_unit lu JOIN lease l ON l.id = lu.lease_id WHERE lu.unit_id = u.id AND "
                "l.archived_at IS NULL AND lu.signed_on <= ? AND (lu.ended_on IS NULL OR "
                "lu.ended_on > ?)) THEN u.area_m2 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN EXISTS "
                "(SELECT 1 FROM lease_unit lu JOIN lease l ON l.id = lu.lease_id WHERE lu.unit_id "
                "= u.id AND l.archived_at IS NULL AND lu.moved_in_on <= ? AND (lu.ended_on IS NULL "
                "OR lu.ended_on > ?)) THEN u.area_m2 ELSE 0 END), 0) FROM unit u JOIN building b "
                "ON b.id = u.building_id JOIN park p ON p.id = u.park_id WHERE" MARKETABLE);
    if (!strcmp(a->scope, "park")) {
        if (pb_parse_i64(a->id ? a->id : "", &park_id) || park_id <= 0 ||
            pb_space_park_visible(a->c, park_id, "id", NULL, err)) {
            pb_buf_release(&sql);
            return pb_err_set(err, PB_E_NOT_FOUND, "园区不存在", "park not found");
        }
        pb_buf_adds(&sql, " AND u.park_id = ?");
    } else if (!strcmp(a->scope, "region")) {
        const struct pb_region *r = a->id ? pb_region_find(a->id) : NULL;
        int ok = r && strcmp(r->kind, "city") && !pb_principal_by_park(a->c->who) &&
                 a->c->who->role != PB_ROLE_ENTERPRISE;
        if (ok && !a->c->who->all_regions) {
            /* a county user sees its county; a zone rolling up into it is its own region */
            ok = pb_principal_region_ok(a->c->who, r->code);
        }
        if (!ok) {
            pb_buf_release(&sql);
            return pb_err_set(err, PB_E_NOT_FOUND, "区域不存在", "region not found");
        }
        pb_buf_adds(&sql, " AND u.region_code IN (SELECT code FROM region WHERE code = ? OR "
                          "rollup_code = ?)");
    } else if (!strcmp(a->scope, "city")) {
        if (!a->c->who->all_regions) {
            pb_buf_release(&sql);
            return pb_err_set(err, PB_E_NOT_FOUND, "全市数据不在您的管辖范围内",
                              "the city's figures are outside your jurisdiction");
        }
    } else {
        pb_buf_release(&sql);
        return pb_err_field(err, PB_E_INVALID, "scope", "invalid_choice",
                            "scope 应为 city、region 或 park",
                            "scope must be city, region or park");
    }
    rc = pb_db_prepare(db, pb_buf_cstr(&sql), &st);
    pb_buf_release(&sql);
    if (rc)
        return rc;
    for (int i = 1; i <= 5; i++)
        pb_stmt_bind_text(st, i, a->date);
    if (park_id)
        pb_stmt_bind_int(st, 6, park_id);
    else if (!strcmp(a->scope, "region")) {
        pb_stmt_bind_text(st, 6, a->id);
        pb_stmt_bind_text(st, 7, a->id);
    }
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        a->out->marketable = pb_stmt_col_int(st, 0);
        a->out->signed_ = pb_stmt_col_int(st, 1);
        a->out->occupied = pb_stmt_col_int(st, 2);
    }
    pb_stmt_done(st);
    if (rc != PB_ROW)
        return rc < 0 ? rc : PB_E_DB;
    a->out->leasable = a->out->marketable;
    if (pb_percent_bp(a->out->signed_, a->out->marketable, &a->out->absorption_bp))
        a->out->absorption_bp = -1;
    if (pb_percent_bp(a->out->occupied, a->out->leasable, &a->out->occupancy_bp))
        a->out->occupancy_bp = -1;
    return 0;
}

int pb_rates_compute(struct pb_ctx *c, const char *scope, const char *id, const char *date,
                     struct pb_rates *out, struct pb_err *err)
{
    char today[32];
    struct rates_args a = {c, scope ? scope : "", id, date, out};
    int rc;
    memset(out, 0, sizeof *out);
    if (!pb_policy_allows(c->who->role, "units", PB_ACT_READ))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    if (!date) {
        pb_iso_cst(c->now_ms, today);
        today[10] = 0;
        a.date = today;
    } else if (!pb_date_valid(date)) {
        return pb_err_field(err, PB_E_INVALID, "date", "invalid_date",
                            "日期应为有效日期，格式 YYYY-MM-DD",
                            "date must be a real date as YYYY-MM-DD");
    }
    rc = pb_db_tx(c->db, 0, rates_tx, &a, err);
    if (rc < 0 && err->nfields && !err->detail_en[0])
        pb_err_set(err, err->rc, "查询参数有误", "the query parameters are invalid");
    return rc < 0 ? rc : 0;
}

static void put_area(struct pb_buf *out, const char *key, int64_t v)
{
    char t[48];
    pb_dec_format(v, 2, t, sizeof t);
    pb_buf_printf(out, ",\"%s\":", key);
    pb_buf_json_str(out, t);
}

static void put_rate(struct pb_buf *out, const char *key, int64_t bp)
{
    char t[48];
    pb_buf_printf(out, ",\"%s\":", key);
    if (bp < 0) {
        pb_buf_adds(out, "null");
        return;
    }
    pb_dec_format(bp, 2, t, sizeof t);
    pb_buf_adds(out, t);
}

int pb_rates_json(struct pb_ctx *c, const char *scope, const char *id, const char *date,
                  struct pb_buf *out, struct pb_err *err)
{
    struct pb_rates r;
    char today[32];
    int rc;
    if ((rc = pb_rates_compute(c, scope, id, date, &r, err)))
        return rc;
    if (!date) {
        pb_iso_cst(c->now_ms, today);
        today[10] = 0;
        date = today;
    }
    pb_buf_adds(out, "{\"scope\":");
    pb_buf_json_str(out, scope);
    pb_buf_adds(out, ",\"id\":");
    if (id && strcmp(scope, "city"))
        pb_buf_json_str(out, id);
    else
        pb_buf_adds(out, "null");
    pb_buf_adds(out, ",\"date\":");
    pb_buf_json_str(out, date);
    put_rate(out, "absorption_rate", r.absorption_bp);
    put_rate(out, "occupancy_rate", r.occupancy_bp);
    put_area(out, "marketable_m2", r.marketable);
    put_area(out, "signed_m2", r.signed_);
    put_area(out, "leasable_m2", r.leasable);
    put_area(out, "occupied_m2", r.occupied);
    put_area(out, "vacant_m2", r.marketable - r.signed_);
    /* Vacant area by spec band (floor load, clear height, power), at the date, for the charts. */
    {
        struct band {
            const char *band;
            int64_t lo, hi; /* stored units, [lo, hi); "unknown" is the NULL spec (-2) */
        };
        static const struct band load_bands[] = {{"unknown", -2, -1},
                                                 {"lt_5", 0, 500},
                                                 {"5_to_8", 500, 800},
                                                 {"8_to_12", 800, 1200},
                                                 {"ge_12", 1200, INT64_MAX}};
        /* hundredths of a metre */
        static const struct band height_bands[] = {{"unknown", -2, -1},
                                                   {"lt_6", 0, 600},
                                                   {"6_to_8", 600, 800},
                                                   {"8_to_10", 800, 1000},
                                                   {"ge_10", 1000, INT64_MAX}};
        /* kVA, by the usual transformer sizes */
        static const struct band power_bands[] = {{"unknown", -2, -1},
                                                  {"lt_250", 0, 250},
                                                  {"250_to_630", 250, 630},
                                                  {"630_to_1250", 630, 1250},
                                                  {"ge_1250", 1250, INT64_MAX}};
        static const struct {
            const char *key;
            const struct band *b;
        } specs[3] = {{"vacant_by_floor_load", load_bands},
                      {"vacant_by_clear_height", height_bands},
                      {"vacant_by_power", power_bands}};
        int64_t sums[3][5] = {{0}};
        struct pb_stmt *st;
        struct pb_buf sql;
        int64_t park_id = 0;
        pb_buf_init(&sql, 0);
        pb_buf_adds(&sql, "SELECT COALESCE(u.floor_load, -2), COALESCE(u.clear_height, -2), "
                          "COALESCE(u.power_kva, -2), u.area_m2 FROM unit u JOIN building b ON "
                          "b.id = u.building_id JOIN park p ON p.id = u.park_id WHERE" MARKETABLE
                          " AND NOT EXISTS (SELECT 1 FROM lease_unit lu JOIN lease l ON l.id = "
                          "lu.lease_id WHERE lu.unit_id = u.id AND l.archived_at IS NULL AND "
                          "lu.signed_on <= ? AND (lu.ended_on IS NULL OR lu.ended_on > ?))");
        if (!strcmp(scope, "park")) {
            pb_parse_i64(id, &park_id);
            pb_buf_adds(&sql, " AND u.park_id = ?");
        } else if (!strcmp(scope, "region")) {
            pb_buf_adds(&sql, " AND u.region_code IN (SELECT code FROM region WHERE code = ? "
                              "OR rollup_code = ?)");
        }
        rc = pb_db_prepare(c->db, pb_buf_cstr(&sql), &st);
        pb_buf_release(&sql);
        if (rc)
            return rc;
        for (int i = 1; i <= 3; i++)
            pb_stmt_bind_text(st, i, date);
        if (park_id)
            pb_stmt_bind_int(st, 4, park_id);
        else if (!strcmp(scope, "region")) {
            pb_stmt_bind_text(st, 4, id);
            pb_stmt_bind_text(st, 5, id);
        }
        while ((rc = pb_stmt_step(st)) == PB_ROW) {
            int64_t area = pb_stmt_col_int(st, 3);
            for (int s = 0; s < 3; s++) {
                int64_t v = pb_stmt_col_int(st, s);
                for (size_t k = 0; k < 5; k++)
                    if (v >= specs[s].b[k].lo && v < specs[s].b[k].hi)
                        sums[s][k] += area;
            }
        }
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        for (int s = 0; s < 3; s++) {
            pb_buf_printf(out, ",\"%s\":[", specs[s].key);
            for (size_t k = 0; k < 5; k++) {
                char t[48];
                pb_dec_format(sums[s][k], 2, t, sizeof t);
                pb_buf_printf(out, "%s{\"band\":\"%s\",\"vacant_m2\":", k ? "," : "",
                              specs[s].b[k].band);
                pb_buf_json_str(out, t);
                pb_buf_addc(out, '}');
            }
            pb_buf_addc(out, ']');
        }
    }
    pb_buf_addc(out, '}');
    return 0;
}
