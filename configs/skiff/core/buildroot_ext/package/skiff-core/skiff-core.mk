################################################################################
#
# skiff-core
#
################################################################################

SKIFF_CORE_VERSION = 1.15.0
SKIFF_CORE_SITE = $(call github,skiffos,skiff-core,v$(SKIFF_CORE_VERSION))
SKIFF_CORE_LICENSE = MIT
SKIFF_CORE_LICENSE_FILES = LICENSE
SKIFF_CORE_GOMOD = github.com/skiffos/skiff-core
SKIFF_CORE_DEPENDENCIES = docker-engine

$(eval $(golang-package))
