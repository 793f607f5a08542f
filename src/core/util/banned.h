/* banned.h: functions that have no safe use in parkbrain. Including this after the system
 * headers turns any call to them into a compile error (as git does). Use pb_buf, pb_strlcpy,
 * snprintf and strtol/pb_parse_i64 instead. */
#ifndef PB_BANNED_H
#define PB_BANNED_H

#define PB_BANNED(func) sorry_##func##_is_banned_in_parkbrain

#undef strcpy
#define strcpy(x, y) PB_BANNED(strcpy)
#undef strcat
#define strcat(x, y) PB_BANNED(strcat)
#undef sprintf
#define sprintf(...) PB_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) PB_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) PB_BANNED(strtok)
#undef atoi
#define atoi(x) PB_BANNED(atoi)
#undef gets
#define gets(x) PB_BANNED(gets)

#endif
