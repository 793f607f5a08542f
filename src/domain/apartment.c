/* apartment.c: the talent-apartment records (buildings, rooms, beds) on the resource engine. */
#include <stdio.h>
#include <string.h>

#include "apartment.h"

void pb_apartment_register(void) {}
