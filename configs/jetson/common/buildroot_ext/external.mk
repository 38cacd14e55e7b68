include $(sort $(wildcard $(BR2_EXTERNAL_JETSON_COMMON_PATH)/package/*/*.mk))
