################################################################################
#
# skiff-core-defconfig
#
################################################################################

SKIFF_CORE_DEFCONFIG_VERSION = 1.0
SKIFF_CORE_DEFCONFIG_SITE = $(BR2_EXTERNAL_SKIFF_CORE_PATH)/package/skiff-core-defconfig
SKIFF_CORE_DEFCONFIG_SITE_METHOD = local
SKIFF_CORE_DEFCONFIG_LICENSE = MIT
SKIFF_CORE_DEFCONFIG_DEPENDENCIES = skiff-core

define SKIFF_CORE_DEFCONFIG_INSTALL_TARGET_CMDS
	mkdir -p $(TARGET_DIR)/opt/skiff/coreenv/base
	cp -a $(@D)/coreenv/. $(TARGET_DIR)/opt/skiff/coreenv/base/
	$(INSTALL) -D -m 0644 $(@D)/defconfig.yaml \
		$(TARGET_DIR)/opt/skiff/coreenv/defconfig.yaml
endef

$(eval $(generic-package))
