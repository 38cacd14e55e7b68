include $(sort $(wildcard $(BR2_EXTERNAL_ODROID_COMMON_PATH)/package/*/*.mk))
