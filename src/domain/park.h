/* park.h: the park register (园区). */
#ifndef PB_PARK_H
#define PB_PARK_H

struct pb_resource;
extern const struct pb_resource pb_res_parks;

#endif
