#!/bin/sh
# Records the real tools' output layouts (Debian 12's busybox 1.35, GNU coreutils 9.1) that
# tests/test_applet_layouts.py compares minikctl's applets with: headers and column positions,
# not values (those are the recording machine's). Host-specific lines are cut: only the rows
# named below are kept, and long commands are shortened. Run from this directory.
set -e
BB=${BUSYBOX:-busybox}
export LC_ALL=C TZ=UTC
$BB ps | sed -n '1p;3,5p' > busybox_ps.txt
$BB ps -o pid,ppid,user,comm,stat,tty,args | sed -n '1p;3,5p' > busybox_ps_o.txt
$BB df / /dev/shm /dev > busybox_df.txt
$BB df -h / /dev/shm /dev > busybox_df_h.txt
$BB df -k / > busybox_df_k.txt
$BB free > busybox_free.txt
$BB free -m > busybox_free_m.txt
$BB free -h > busybox_free_h.txt
$BB mount | sed -n '1,5p' > busybox_mount.txt
$BB top -b -n1 | sed -n '1,4p' > busybox_top.txt
$BB top -b -n1 | sed -n '5,7p' | cut -c1-41 | sed 's/$/ sleep 3600/' >> busybox_top.txt
$BB uptime > busybox_uptime.txt
$BB id > busybox_id.txt
$BB uname -a > busybox_uname_a.txt
$BB date > busybox_date.txt
$BB date -u +%Y-%m-%dT%H:%M:%SZ > busybox_date_iso.txt
df / /dev/shm /dev > gnu_df.txt
df -h / /dev/shm /dev > gnu_df_h.txt
id > gnu_id.txt
uname -a > gnu_uname_a.txt
date > gnu_date.txt
uptime > gnu_uptime.txt
$BB ping -c 2 127.0.0.1 > busybox_ping.txt
