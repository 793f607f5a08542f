/* op.c: the operation runner (op.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/resource/op.h"

static int field_index(const struct pb_op *op, const char *name)
{
    for (size_t i = 0; i < op->nfields; i++)
        if (!strcmp(op->fields[i].name, name))
            return (int)i;
    return -1;
}

const struct pb_val *pb_op_arg(const struct pb_op_in *in, const char *name)
{
    int i = field_index(in->op, name);
    if (i < 0 || !in->given[i] || in->v[i].is_null)
        return NULL;
    return &in->v[i];
}

const char *pb_op_text(const struct pb_op_in *in, const char *name)
{
    const struct pb_val *v = pb_op_arg(in, name);
    return v ? v->s : NULL;
}

int64_t pb_op_int(const struct pb_op_in *in, const char *name, int64_t dflt)
{
    const struct pb_val *v = pb_op_arg(in, name);
    return v ? v->i : dflt;
}

const char *pb_op_query(const struct pb_op_in *in, const char *key)
{
    for (size_t i = 0; i < in->nquery; i++)
        if (!strcmp(in->query[i].key, key))
            return in->query[i].value;
    return NULL;
}

void pb_op_audit(struct pb_op_out *out, int64_t object_id, const char *region_code,
                 const char *changes_fmt, ...)
{
    if (object_id)
        snprintf(out->object_id, sizeof out->object_id, "%lld", (long long)object_id);
    else
        out->object_id[0] = 0;
    pb_strlcpy(out->region_code, region_code ? region_code : "", sizeof out->region_code);
    if (changes_fmt && out->changes) {
        va_list ap;
        out->changes->len = 0;
        va_start(ap, changes_fmt);
        pb_buf_vprintf(out->changes, changes_fmt, ap);
        va_end(ap);
    }
}

/* Body members into stored values: unknown members are a 400, bad values field errors. */
static int decode_body(struct pb_ctx *c, const struct pb_op *op, json_t *body, struct pb_val *v,
                       unsigned char *given, struct pb_err *err)
{
    const char *key;
    json_t *j;
    if (body && !json_is_object(body))
        return pb_err_set(err, PB_E_BAD_REQUEST, "请求体应为 JSON 对象",
                          "the body must be a JSON object");
    if (body)
        json_object_foreach(body, key, j)
        {
            int i = field_index(op, key);
            const char *shown = strlen(key) < 60 ? key : "?";
            if (i < 0) {
                pb_err_field(err, PB_E_BAD_REQUEST, shown, "unknown_field", "未知字段 %s",
                             "unknown field %s", shown);
                continue;
            }
            if (op->fields[i].readonly) {
                pb_err_field(err, PB_E_BAD_REQUEST, shown, "read_only", "字段 %s 为只读",
                             "field %s is read-only", shown);
                continue;
            }
        }
    if (err->nfields)
        return pb_err_set(err, PB_E_BAD_REQUEST, "请求含有未知或只读字段",
                          "the request has unknown or read-only fields");
    for (size_t i = 0; i < op->nfields; i++) {
        const struct pb_field *f = &op->fields[i];
        j = body ? json_object_get(body, f->name) : NULL;
        v[i].is_null = 1;
        if (!j) {
            if (f->required)
                pb_err_field(err, PB_E_INVALID, f->name, "required", "「%s」为必填项%.0s",
                             "%.0s%s is required", f->label_zh ? f->label_zh : f->name,
                             f->label_en ? f->label_en : f->name);
            continue;
        }
        given[i] = 1;
        pb_field_from_json(c, f, j, &v[i], err);
    }
    if (err->nfields)
        return pb_err_set(err, PB_E_INVALID, "请检查标出的字段", "please check the marked fields");
    return 0;
}

static int check_params(const struct pb_op *op, const struct pb_op_in *in, struct pb_err *err)
{
    for (size_t i = 0; i < in->nquery; i++) {
        const char *k = in->query[i].key;
        int ok = !strcmp(k, "lang");
        for (int j = 0; op->params && op->params[j]; j++)
            if (!strcmp(op->params[j], k))
                ok = 1;
        if (!ok)
            pb_err_field(err, PB_E_BAD_REQUEST, strlen(k) < 60 ? k : "?", "unknown_parameter",
                         "未知查询参数 %s", "unknown query parameter %s", strlen(k) < 60 ? k : "?");
    }
    return err->nfields ? pb_err_set(err, PB_E_BAD_REQUEST, "查询参数有误",
                                     "the query has unknown parameters")
                        : 0;
}

struct op_args {
    struct pb_ctx *c;
    const struct pb_op *op;
    const struct pb_op_in *in;
    struct pb_op_out *out;
    size_t start;
};

static int op_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct op_args *a = ctx;
    struct pb_op_out *o = a->out;
    int rc;
    (void)db;
    /* A retry starts from scratch: the answer and the audit description too. */
    o->body->len = a->start;
    o->no_audit = 0;
    o->object_id[0] = o->region_code[0] = 0;
    if (o->changes)
        o->changes->len = 0;
    if ((rc = a->op->run(a->c, a->in, o, err)) < 0)
        return rc;
    if (!(a->op->flags & PB_OP_WRITE))
        return 0;
    if (a->op->audit_as && !o->no_audit &&
        (rc = pb_audit_write(
             a->c,
             &(struct pb_audit_rec){.action = a->op->audit_as,
                                    .resource = o->audit_resource ? o->audit_resource : a->op->tag,
                                    .object_id = o->object_id,
                                    .region_code = o->region_code,
                                    .result = "ok",
                                    .changes = o->changes ? pb_buf_cstr(o->changes) : ""},
             err)))
        return rc;
    if (a->op->bump && !o->no_audit && (rc = a->op->bump(a->c, o->region_code, err)))
        return rc;
    return 0;
}

int pb_op_exec(struct pb_ctx *c, const struct pb_op *op, struct pb_op_in *in, json_t *body,
               struct pb_op_out *out, struct pb_err *err)
{
    struct pb_val *v = NULL;
    unsigned char *given = NULL;
    struct pb_buf changes;
    struct op_args a = {c, op, in, out, out->body->len};
    int rc;

    in->op = op;
    in->body = body;
    if (op->policy && !pb_policy_allows(c->who->role, op->policy, op->act)) {
        c->denied.set = 1;
        c->denied.resource = op->tag;
        c->denied.object_id[0] = 0;
        if (in->id)
            snprintf(c->denied.object_id, sizeof c->denied.object_id, "%lld", (long long)in->id);
        c->denied.region_code[0] = 0;
        c->denied.action = op->audit_as ? op->audit_as : op->op_id;
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    }
    if ((rc = check_params(op, in, err)))
        return rc;
    if ((op->flags & PB_OP_IF_MATCH) && !in->if_match)
        return pb_err_set(err, PB_E_PRECONDITION, "须提供 If-Match 请求头",
                          "the If-Match header is required");
    if (op->nfields) {
        v = pb_arena_alloc(c->arena, op->nfields * sizeof *v);
        given = pb_arena_alloc(c->arena, op->nfields);
    } else if (body && json_object_size(body)) {
        return decode_body(c, op, body, NULL, NULL, err);
    }
    in->v = v;
    in->given = given;
    if (op->nfields && (rc = decode_body(c, op, body, v, given, err)))
        return rc;

    pb_buf_init(&changes, 0);
    out->changes = &changes;
    if (op->flags & PB_OP_NO_TX) {
        rc = op->run(c, in, out, err);
    } else {
        rc = pb_db_tx(c->db, (op->flags & PB_OP_WRITE) ? 1 : 0, op_tx, &a, err);
    }
    out->changes = NULL;
    pb_buf_release(&changes);
    if (rc < 0) {
        out->body->len = a.start;
        return rc;
    }
    return 0;
}

json_t *pb_op_schema(const struct pb_op *op)
{
    return op->nfields ? pb_fields_schema(op->fields, op->nfields) : NULL;
}
