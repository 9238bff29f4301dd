// SPDX-License-Identifier: MIT
/*
 * SampleDriver - a hardware-less driver that attaches to IOResources and
 * publishes one nub, to show discovery end to end:
 *
 *	Root
 *	  OpenIOKit            <class IOPlatformExpertDevice>
 *	    IOResources        <class IOResources>
 *	      SampleDriver     <class SampleDriver>   (matched on IOKit)
 *	        SampleNub@1    <class SampleNub>
 *
 * Find it with IOServiceGetMatchingService(kIOMainPortDefault,
 * IOServiceMatching("SampleDriver")).
 */
#include <IOKit/IOKitKeys.h>
#include <IOKit/driver/iok_service.h>

static const iok_class_t SampleNub = {
	.name = "SampleNub",
	.super = &iok_class_IOService,
};

static int publish_nub(iok_service_t *provider)
{
	iok_service_t *nub = iok_service_create("SampleNub", NULL);
	int ret = -1;

	if (!nub)
		return -1;
	if (!iok_service_set_location(nub, "1") &&
	    !iok_service_set_string(nub, "compatible", "org,sample-nub") &&
	    !iok_service_attach(nub, provider))
		ret = iok_service_register(nub);
	iok_service_release(nub);
	return ret;
}

static bool sample_start(iok_service_t *self, iok_service_t *provider)
{
	static const uint8_t blob[] = { 0xde, 0xad, 0xbe, 0xef };
	iok_object_t *list = iok_array_create(2), *a = iok_string_create("alpha"),
		     *b = iok_string_create("beta");
	bool ok = list && a && b && !iok_array_append(list, a) && !iok_array_append(list, b);

	ok = ok && !iok_service_set_string(self, "Greeting", "Hello from SampleDriver") &&
	     !iok_service_set_number(self, "SampleCount", 42, 32) &&
	     !iok_service_set_bool(self, "SampleReady", true) &&
	     !iok_service_set_property(self, "SampleNames", list);
	if (ok) {
		iok_object_t *d = iok_data_create(blob, sizeof(blob));

		ok = d && !iok_service_set_property(self, "SampleData", d);
		iok_release(d);
	}
	iok_release(list);
	iok_release(a);
	iok_release(b);
	return ok && iok_service_register(self) == 0 && publish_nub(self) == 0;
}

static const struct iok_class_ops sample_ops = {
	.start = sample_start,
};

static const iok_class_t SampleDriver = {
	.name = "SampleDriver",
	.super = &iok_class_IOService,
	.ops = &sample_ops,
};

static iok_object_t *sample_personalities(void)
{
	static const char *const names[] = { "SampleDriver", NULL };

	return iok_resource_personalities(names);
}

static const iok_class_t *const sample_classes[] = { &SampleDriver, &SampleNub, NULL };

static const struct iok_driver sample_driver = {
	.abi_version = IOK_DRIVER_ABI_VERSION,
	.bundle_id = "org.openiokit.SampleDriver",
	.version = "1.0.0",
	.classes = sample_classes,
	.personalities = sample_personalities,
};

IOK_DRIVER(sample_driver)
