include $(sort $(wildcard $(BR2_EXTERNAL_SKIFF_CORE_MANJARO_PATH)/package/*/*.mk))
