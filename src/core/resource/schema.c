/* schema.c: a resource's descriptors as OpenAPI schemas and as the UI's field metadata. */
#include <string.h>

#include "core/resource/internal.h"

const char *pb_ftype_name(enum pb_ftype t)
{
    switch (t) {
    case PB_TEXT:
        return "text";
    case PB_INT:
        return "int";
    case PB_BOOL:
        return "bool";
    case PB_ENUM:
        return "enum";
    case PB_DATE:
        return "date";
    case PB_MONEY:
        return "money";
    case PB_AREA:
        return "area";
    case PB_COORD_LNG:
        return "lng";
    case PB_COORD_LAT:
        return "lat";
    case PB_REGION:
        return "region";
    case PB_INDUSTRY:
        return "industry";
    case PB_REF:
        return "ref";
    case PB_TIME:
        return "time";
    }
    return "text";
}

static json_t *field_schema(const struct pb_field *f, int nullable)
{
    json_t *s = json_object();
    const char *type = "string";
    switch (f->type) {
    case PB_INT:
    case PB_REF:
        type = "integer";
        break;
    case PB_BOOL:
        type = "boolean";
        break;
    case PB_ENUM: {
        json_t *e = json_array();
        for (int i = 0; f->enums[i]; i++)
            json_array_append_new(e, json_string(f->enums[i]));
        if (nullable)
            json_array_append_new(e, json_null());
        json_object_set_new(s, "enum", e);
        break;
    }
    case PB_DATE:
        json_object_set_new(s, "format", json_string("date"));
        break;
    case PB_TIME:
        json_object_set_new(s, "format", json_string("date-time"));
        break;
    case PB_MONEY:
    case PB_AREA:
        json_object_set_new(s, "pattern", json_string("^-?[0-9]+(\\.[0-9]{1,2})?$"));
        break;
    case PB_COORD_LNG:
    case PB_COORD_LAT:
        json_object_set_new(s, "pattern", json_string("^-?[0-9]+(\\.[0-9]{1,6})?$"));
        break;
    case PB_TEXT:
        json_object_set_new(s, "maxLength", json_integer(f->max_len ? f->max_len : 200));
        break;
    default:
        break;
    }
    if (nullable) {
        json_t *t = json_array();
        json_array_append_new(t, json_string(type));
        json_array_append_new(t, json_string("null"));
        json_object_set_new(s, "type", t);
    } else {
        json_object_set_new(s, "type", json_string(type));
    }
    {
        const char *d = f->doc ? f->doc : f->label_en;
        if (d)
            json_object_set_new(s, "description", json_string(d));
    }
    if (f->readonly)
        json_object_set_new(s, "readOnly", json_true());
    return s;
}

json_t *pb_res_schema(const struct pb_resource *r, int variant)
{
    json_t *s = json_object(), *props = json_object(), *req = json_array();
    json_object_set_new(s, "type", json_string("object"));
    if (variant != 0)
        json_object_set_new(s, "additionalProperties", json_false());
    if (variant == 0) {
        json_object_set_new(props, "id", field_schema(&pb_fixed_fields[PB_COL_ID], 0));
        json_array_append_new(req, json_string("id"));
    }
    for (size_t i = 0; i < r->nfields; i++) {
        const struct pb_field *f = &r->fields[i];
        if (variant == 2 && f->immutable)
            continue;
        json_object_set_new(props, f->name,
                            field_schema(f, !f->required || variant == 2 ? !f->required : 0));
        if (f->required && variant != 2)
            json_array_append_new(req, json_string(f->name));
    }
    if (variant == 0) {
        for (size_t i = 0; i < r->ncomputed; i++)
            json_object_set_new(props, r->computed[i].name, field_schema(&r->computed[i], 1));
        json_object_set_new(props, "version", field_schema(&pb_fixed_fields[PB_COL_VERSION], 0));
        json_object_set_new(props, "created_at", field_schema(&pb_fixed_fields[PB_COL_CREATED], 0));
        json_object_set_new(props, "updated_at", field_schema(&pb_fixed_fields[PB_COL_UPDATED], 0));
        json_object_set_new(props, "archived_at",
                            field_schema(&pb_fixed_fields[PB_COL_ARCHIVED], 1));
        json_array_append_new(req, json_string("version"));
    }
    json_object_set_new(s, "properties", props);
    if (json_array_size(req))
        json_object_set_new(s, "required", req);
    else
        json_decref(req);
    return s;
}

json_t *pb_fields_schema(const struct pb_field *fields, size_t n)
{
    json_t *s = json_object(), *props = json_object(), *req = json_array();
    json_object_set_new(s, "type", json_string("object"));
    json_object_set_new(s, "additionalProperties", json_false());
    for (size_t i = 0; i < n; i++) {
        json_object_set_new(props, fields[i].name, field_schema(&fields[i], !fields[i].required));
        if (fields[i].required)
            json_array_append_new(req, json_string(fields[i].name));
    }
    json_object_set_new(s, "properties", props);
    if (json_array_size(req))
        json_object_set_new(s, "required", req);
    else
        json_decref(req);
    return s;
}

static void meta_field(struct pb_ctx *c, const struct pb_field *f, struct pb_buf *out)
{
    static const char *filters[] = {"none", "eq", "like", "range"};
    const char *label = c->lang_en ? f->label_en : f->label_zh;
    pb_buf_adds(out, "{\"name\":");
    pb_buf_json_str(out, f->name);
    pb_buf_printf(out, ",\"type\":\"%s\",\"label\":", pb_ftype_name(f->type));
    pb_buf_json_str(out, label ? label : f->name);
    pb_buf_printf(out,
                  ",\"required\":%s,\"readonly\":%s,\"filter\":\"%s\",\"sortable\":%s,"
                  "\"list\":%s,\"max_len\":%d",
                  f->required ? "true" : "false", f->readonly ? "true" : "false",
                  filters[f->filter], f->sortable ? "true" : "false", f->list ? "true" : "false",
                  f->type == PB_TEXT ? (f->max_len ? f->max_len : 200) : 0);
    if (f->type == PB_REF && f->ref) {
        pb_buf_adds(out, ",\"ref\":");
        pb_buf_json_str(out, f->ref);
    }
    if (f->type == PB_ENUM) {
        const char *const *labels = c->lang_en ? f->enum_en : f->enum_zh;
        pb_buf_adds(out, ",\"options\":[");
        for (int i = 0; f->enums[i]; i++) {
            pb_buf_printf(out, "%s{\"value\":", i ? "," : "");
            pb_buf_json_str(out, f->enums[i]);
            pb_buf_adds(out, ",\"label\":");
            pb_buf_json_str(out, labels ? labels[i] : f->enums[i]);
            pb_buf_addc(out, '}');
        }
        pb_buf_addc(out, ']');
    }
    pb_buf_addc(out, '}');
}

void pb_res_meta(struct pb_ctx *c, struct pb_buf *out)
{
    pb_buf_adds(out, "{\"resources\":{");
    for (size_t k = 0; k < pb_resource_count(); k++) {
        const struct pb_resource *r = pb_resource_at(k);
        pb_buf_printf(out, "%s\"%s\":{\"label\":", k ? "," : "", r->name);
        pb_buf_json_str(out, c->lang_en ? r->label_en : r->label_zh);
        pb_buf_adds(out, ",\"default_sort\":");
        pb_buf_json_str(out, r->default_sort ? r->default_sort : "-updated_at");
        pb_buf_adds(out, ",\"fields\":[");
        for (size_t i = 0; i < r->nfields; i++) {
            if (i)
                pb_buf_addc(out, ',');
            meta_field(c, &r->fields[i], out);
        }
        for (size_t i = 0; i < r->ncomputed; i++) {
            pb_buf_addc(out, ',');
            meta_field(c, &r->computed[i], out);
        }
        pb_buf_adds(out, "]}");
    }
    /* The policy table, so that the UI's role lists are the server's and not a second copy. */
    pb_buf_adds(out, "},\"policy\":");
    pb_policy_dump(out);
    pb_buf_addc(out, '}');
}
