################################################################################
#
# linux4tegra
#
################################################################################

LINUX4TEGRA_URL = $(call qstrip,$(BR2_PACKAGE_LINUX4TEGRA_URL))
LINUX4TEGRA_SOURCE = $(notdir $(LINUX4TEGRA_URL))
LINUX4TEGRA_SITE = $(patsubst %/,%,$(dir $(LINUX4TEGRA_URL)))
LINUX4TEGRA_VERSION = $(basename $(LINUX4TEGRA_SOURCE))
LINUX4TEGRA_LICENSE = PROPRIETARY
LINUX4TEGRA_LICENSE_FILES = nv_tegra/LICENSE
LINUX4TEGRA_REDISTRIBUTE = NO
LINUX4TEGRA_INSTALL_TARGET = NO
LINUX4TEGRA_INSTALL_IMAGES = YES

define LINUX4TEGRA_INSTALL_IMAGES_CMDS
	rm -rf $(BINARIES_DIR)/linux4tegra
	mkdir -p $(BINARIES_DIR)/linux4tegra
	cp -a $(@D)/. $(BINARIES_DIR)/linux4tegra/
endef

$(eval $(generic-package))
