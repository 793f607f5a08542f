/* apartment.h: the talent-apartment service (issue 5): buildings, rooms and beds (resources),
 * applicants, applications and their review, bookings under the working-day rule, check-in
 * with the ID check and the residence agreement, door codes, check-out, the availability
 * board, masking and unmasking, the purge of personal data, notifications and statistics.
 *
 * Every function runs its own transaction(s) on c->db, writes its audit record inside it, and
 * reports failures through err (field errors in zh-CN and en). None logs or prints. */
#ifndef PB_APARTMENT_H
#define PB_APARTMENT_H

#include <jansson.h>

#include "../resource/resource.h"
#include "../util/pb.h"

extern const struct pb_resource pb_res_apartments, pb_res_apartment_rooms, pb_res_apartment_beds;

/* Register the three resources (pb_app_init). */
void pb_apartment_register(void);

#endif
