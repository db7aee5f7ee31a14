// msgpackr treats a falsy export as "no native accelerator" and uses its JavaScript decoder.
module.exports = null;
