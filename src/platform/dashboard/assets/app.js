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

// The social calendar: a post dragged to another day moves there at the same time of day (the form
// the drop sends is the one the post's page has; on a phone, that page's form does it instead).
for (const chip of document.querySelectorAll('.calendar [draggable="true"][data-post]')) {
  chip.addEventListener('dragstart', (event) => event.dataTransfer.setData('text/plain', chip.dataset.post));
}
for (const day of document.querySelectorAll('.calendar [data-drop-day]')) {
  day.addEventListener('dragover', (event) => {
    event.preventDefault();
    day.classList.add('drop');
  });
  day.addEventListener('dragleave', () => day.classList.remove('drop'));
  day.addEventListener('drop', (event) => {
    event.preventDefault();
    const post = event.dataTransfer.getData('text/plain');
    const token = document.querySelector('meta[name="csrf-token"]');
    if (!/^[0-9a-f-]{36}$/.test(post) || !token) return;
    const form = document.createElement('form');
    form.method = 'post';
    form.action = `/social/posts/${post}/reschedule`;
    const fields = {
      _csrf: token.getAttribute('content'),
      day: day.dataset.dropDay,
      back: location.pathname + location.search,
    };
    for (const [name, value] of Object.entries(fields)) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.append(input);
    }
    document.body.append(form);
    form.submit();
  });
}
