################################################################################
#
# hardkernel-boot-blobs
#
################################################################################

HARDKERNEL_BOOT_BLOBS_VERSION = $(call qstrip,$(BR2_PACKAGE_HARDKERNEL_BOOT_BLOBS_REF))
HARDKERNEL_BOOT_BLOBS_SITE = $(call github,hardkernel,u-boot,$(HARDKERNEL_BOOT_BLOBS_VERSION))
HARDKERNEL_BOOT_BLOBS_LICENSE = PROPRIETARY
HARDKERNEL_BOOT_BLOBS_INSTALL_TARGET = NO
HARDKERNEL_BOOT_BLOBS_INSTALL_IMAGES = YES

HARDKERNEL_BOOT_BLOBS_FILES = \
	bl1:$(call qstrip,$(BR2_PACKAGE_HARDKERNEL_BOOT_BLOBS_BL1)) \
	bl2:$(call qstrip,$(BR2_PACKAGE_HARDKERNEL_BOOT_BLOBS_BL2)) \
	tzsw:$(call qstrip,$(BR2_PACKAGE_HARDKERNEL_BOOT_BLOBS_TZSW))

define HARDKERNEL_BOOT_BLOBS_INSTALL_IMAGES_CMDS
	$(foreach f,$(HARDKERNEL_BOOT_BLOBS_FILES),
		$(INSTALL) -D -m 0644 $(@D)/sd_fuse/$(lastword $(subst :, ,$(f))) \
			$(BINARIES_DIR)/hardkernel/$(firstword $(subst :, ,$(f))).bin
	)
endef

$(eval $(generic-package))
