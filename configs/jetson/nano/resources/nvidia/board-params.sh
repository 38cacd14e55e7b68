# Parameters L4T flash.sh needs to sign the boot partitions of a Jetson Nano
# developer kit with an SD card module (P3448-0000 on P3449).
BOARDID=3448
BOARDSKU=0000
FAB=300
CHIPID=0x21
TARGET=jetson-nano-qspi-sd
STORAGE=sdcard
DTB=tegra210-p3448-0000-p3449-0000-b00.dtb
