include $(sort $(wildcard $(BR2_EXTERNAL_SKIFF_CORE_GENTOO_PATH)/package/*/*.mk))
