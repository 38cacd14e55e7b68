include $(sort $(wildcard $(BR2_EXTERNAL_SKIFFOS_PATH)/package/*/*.mk))
