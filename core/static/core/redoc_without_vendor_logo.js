"use strict";
// Redoc's side menu shows its vendor's logo, fetched from the vendor's CDN,
// and no option turns it off. React sets an image's src twice (setAttribute,
// then the src property once mounted); given an empty src instead, the
// browser requests nothing and fires the image's error event, on which Redoc
// removes the image.
(() => {
  const vendorLogo = "https://cdn.redoc.ly/redoc/logo-mini.svg";
  const withoutLogo = (value) => (String(value) === vendorLogo ? "" : value);
  const image = HTMLImageElement.prototype;
  const src = Object.getOwnPropertyDescriptor(image, "src");
  Object.defineProperty(image, "src", {
    ...src,
    set(value) {
      src.set.call(this, withoutLogo(value));
    },
  });
  const setAttribute = Element.prototype.setAttribute;
  image.setAttribute = function (name, value) {
    const isSrc = String(name).toLowerCase() === "src";
    setAttribute.call(this, name, isSrc ? withoutLogo(value) : value);
  };
})();
