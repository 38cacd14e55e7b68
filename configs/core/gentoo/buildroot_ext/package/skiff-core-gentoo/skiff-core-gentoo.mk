################################################################################
#
# skiff-core-gentoo
#
################################################################################

SKIFF_CORE_GENTOO_VERSION = 1.0
SKIFF_CORE_GENTOO_SITE = $(BR2_EXTERNAL_SKIFF_CORE_GENTOO_PATH)/package/skiff-core-gentoo
SKIFF_CORE_GENTOO_SITE_METHOD = local
SKIFF_CORE_GENTOO_LICENSE = MIT
# Installed after the default config so this one replaces it.
SKIFF_CORE_GENTOO_DEPENDENCIES = skiff-core skiff-core-defconfig

define SKIFF_CORE_GENTOO_INSTALL_TARGET_CMDS
	mkdir -p $(TARGET_DIR)/opt/skiff/coreenv/skiff-core-gentoo
	cp -a $(@D)/coreenv/. $(TARGET_DIR)/opt/skiff/coreenv/skiff-core-gentoo/
	$(INSTALL) -D -m 0644 $(@D)/defconfig.yaml \
		$(TARGET_DIR)/opt/skiff/coreenv/defconfig.yaml
	touch $(TARGET_DIR)/opt/skiff/coreenv/.overridden
endef

$(eval $(generic-package))
