################################################################################
#
# skiff-init
#
################################################################################

SKIFF_INIT_VERSION = 1.0
SKIFF_INIT_SITE = $(BR2_EXTERNAL_SKIFFOS_PATH)/package/skiff-init/src
SKIFF_INIT_SITE_METHOD = local
SKIFF_INIT_LICENSE = MIT
SKIFF_INIT_INSTALL_TARGET = NO
SKIFF_INIT_INSTALL_IMAGES = YES

define SKIFF_INIT_BUILD_CMDS
	$(TARGET_CC) $(TARGET_CFLAGS) $(TARGET_LDFLAGS) -static -Wall -Wextra \
		-o $(@D)/skiff-init $(@D)/skiff-init.c
endef

define SKIFF_INIT_INSTALL_IMAGES_CMDS
	$(INSTALL) -D -m 0755 $(@D)/skiff-init $(BINARIES_DIR)/skiff-init/skiff-init
endef

$(eval $(generic-package))
