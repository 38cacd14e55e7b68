# pcDuino3: kernel, device tree and initramfs from partition 1.
setenv bootargs "console=ttyS0,115200 console=tty1 root=/dev/ram0 ro rootwait"
load mmc 0:1 ${kernel_addr_r} zImage
load mmc 0:1 ${ramdisk_addr_r} rootfs.cpio.uboot
load mmc 0:1 ${fdt_addr_r} sun7i-a20-pcduino3.dtb
bootz ${kernel_addr_r} ${ramdisk_addr_r} ${fdt_addr_r}
