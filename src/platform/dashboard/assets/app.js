// Sends the CSRF token with every htmx request (CSP forbids inline scripts, so it lives here).
document.addEventListener('htmx:configRequest', (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers['X-CSRF-Token'] = meta.getAttribute('content');
});

// What HMRC's fraud prevention headers need from the browser (Gov-Client-Screens, -Window-Size,
// -Timezone, -Browser-JS-User-Agent, -Device-ID), filled into a form that sends a VAT return.
for (const form of document.querySelectorAll('form[data-hmrc]')) {
  const set = (name, value) => {
    const input = form.querySelector(`input[name="${name}"]`);
    if (input) input.value = value;
  };
  let device = localStorage.getItem('shopkeep-device-id');
  if (!device) {
    device = crypto.randomUUID();
    localStorage.setItem('shopkeep-device-id', device);
  }
  const offset = -new Date().getTimezoneOffset();
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  set('jsUserAgent', navigator.userAgent);
  set('deviceId', device);
  set(
    'screens',
    `width=${screen.width}&height=${screen.height}&scaling-factor=${window.devicePixelRatio}&colour-depth=${screen.colorDepth}`,
  );
  set('windowSize', `width=${window.innerWidth}&height=${window.innerHeight}`);
  set('timezone', `UTC${offset < 0 ? '-' : '+'}${hours}:${minutes}`);
}
