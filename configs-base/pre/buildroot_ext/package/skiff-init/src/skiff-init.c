/*
 * skiff-init: boots a read-only squashfs root image with a tmpfs overlay.
 *
 * The kernel has mounted the partition that holds the image as / (read-write)
 * and runs this program as init. We loop-mount the image, stack a tmpfs on it
 * with overlayfs, bind the original root at /mnt/persist (or /mnt/boot), move
 * the result over / and exec systemd. Options come from /proc/cmdline.
 *
 * Built with -DSKIFF_INIT_PARSE_TEST it is a host program instead: it parses the
 * kernel command line given as its argument, prints the options and exits (for
 * skiff's tests; nothing is mounted).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define WORK "/skiff-overlays"

static char image[256] = "/rootfs.squashfs";
static char rootis[16] = "persist";
static char overlay_size[32] = "25%";

static void option(const char *word, const char *key, char *dst, size_t len)
{
	size_t klen = strlen(key);
	if (strncmp(word, key, klen) == 0 && strlen(word + klen) < len)
		strcpy(dst, word + klen);
}

/* Takes the skiff.* options of a kernel command line (modified in place). */
static void parse_cmdline(char *buf)
{
	for (char *w = strtok(buf, " \t\n"); w; w = strtok(NULL, " \t\n")) {
		option(w, "skiff.image=", image, sizeof(image));
		option(w, "skiff.rootis=", rootis, sizeof(rootis));
		option(w, "skiff.overlay=", overlay_size, sizeof(overlay_size));
	}
}

static int valid_rootis(void)
{
	return strcmp(rootis, "persist") == 0 || strcmp(rootis, "boot") == 0;
}

#ifdef SKIFF_INIT_PARSE_TEST
int main(int argc, char **argv)
{
	char buf[4096];
	if (argc != 2 || strlen(argv[1]) >= sizeof(buf)) {
		fprintf(stderr, "usage: %s KERNEL-COMMAND-LINE\n", argv[0]);
		return 2;
	}
	strcpy(buf, argv[1]);
	parse_cmdline(buf);
	printf("image=%s\nrootis=%s\noverlay=%s\n", image, rootis, overlay_size);
	if (!valid_rootis()) {
		fprintf(stderr, "skiff-init: skiff.rootis must be persist or boot\n");
		return 1;
	}
	return 0;
}
#else
static void fail(const char *what)
{
	fprintf(stderr, "skiff-init: %s: %s\n", what, strerror(errno));
	/* Give the console a chance to show the message, then let the kernel panic. */
	sleep(10);
	exit(1);
}

static void makedir(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		fail(path);
}

static void read_cmdline(void)
{
	char buf[4096];
	int fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		fail("/proc/cmdline");
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		fail("read /proc/cmdline");
	buf[n] = '\0';
	parse_cmdline(buf);
}

/* Attaches path read-only to a free loop device; returns the device name. */
static void attach_loop(const char *path, char *dev, size_t len)
{
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		fail("/dev/loop-control");
	int nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (nr < 0)
		fail("no free loop device");
	snprintf(dev, len, "/dev/loop%d", nr);
	int file = open(path, O_RDONLY | O_CLOEXEC);
	if (file < 0)
		fail(path);
	int loop = open(dev, O_RDWR | O_CLOEXEC);
	if (loop < 0)
		fail(dev);
	if (ioctl(loop, LOOP_SET_FD, file) != 0)
		fail("LOOP_SET_FD");
	struct loop_info64 info;
	memset(&info, 0, sizeof(info));
	info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
	snprintf((char *)info.lo_file_name, LO_NAME_SIZE, "%s", path);
	if (ioctl(loop, LOOP_SET_STATUS64, &info) != 0)
		fail("LOOP_SET_STATUS64");
	close(file);
	close(loop);
}

int main(void)
{
	char dev[32], opts[512], path[512];

	makedir("/dev");
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 && errno != EBUSY)
		fail("mount /dev");
	makedir("/proc");
	if (mount("proc", "/proc", "proc", 0, NULL) != 0 && errno != EBUSY)
		fail("mount /proc");
	read_cmdline();
	if (!valid_rootis()) {
		errno = EINVAL;
		fail("skiff.rootis must be persist or boot");
	}

	makedir(WORK);
	makedir(WORK "/image");
	makedir(WORK "/rw");
	makedir(WORK "/system");
	attach_loop(image, dev, sizeof(dev));
	if (mount(dev, WORK "/image", "squashfs", MS_RDONLY, NULL) != 0)
		fail("mount squashfs image");
	snprintf(opts, sizeof(opts), "size=%s,mode=0755", overlay_size);
	if (mount("tmpfs", WORK "/rw", "tmpfs", 0, opts) != 0)
		fail("mount overlay tmpfs");
	makedir(WORK "/rw/upper");
	makedir(WORK "/rw/work");
	snprintf(opts, sizeof(opts),
		 "lowerdir=%s/image,upperdir=%s/rw/upper,workdir=%s/rw/work", WORK, WORK, WORK);
	if (mount("overlay", WORK "/system", "overlay", 0, opts) != 0)
		fail("mount overlay");

	/* Keep the original root reachable from the new one. */
	snprintf(path, sizeof(path), WORK "/system/mnt/%s", rootis);
	makedir(WORK "/system/mnt");
	makedir(path);
	if (mount("/", path, NULL, MS_BIND | MS_REC, NULL) != 0)
		fail("bind original root");
	if (mount("/dev", WORK "/system/dev", NULL, MS_MOVE, NULL) != 0)
		fail("move /dev");
	if (umount2("/proc", MNT_DETACH) != 0)
		fail("unmount /proc");

	if (chdir(WORK "/system") != 0)
		fail("chdir new root");
	if (mount(".", "/", NULL, MS_MOVE, NULL) != 0)
		fail("move new root");
	if (chroot(".") != 0 || chdir("/") != 0)
		fail("chroot");

	char *const argv[] = {"/lib/systemd/systemd", NULL};
	execv(argv[0], argv);
	fail("exec /lib/systemd/systemd");
	return 1;
}
#endif
